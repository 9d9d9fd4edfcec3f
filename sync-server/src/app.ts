// Builds the Fastify application from its parts; server.ts starts it, tests inject into it.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import packageJson from '../package.json' with { type: 'json' };
import type { Database } from './db/client.ts';
import { registerErrorHandler } from './errors.ts';
import { createTokenService, loadSigningKey } from './auth/tokens.ts';
import { authRoutes } from './auth/routes.ts';
import { setupRoutes } from './setup/routes.ts';
import { healthRoutes } from './health/routes.ts';
import { syncRoutes } from './sync/routes.ts';
import { createLiveHub, type LiveHub } from './sync/live-hub.ts';
import { registerWebApp, webAppAvailable } from './web/static.ts';

export interface AppOptions {
  database: Database;
  setupCode: string | null;
  webRoot?: string | null;
  corsOrigins?: string[];
  accessTokenTtlSeconds?: number;
  jwtSecret?: string;
  logger?: FastifyServerOptions['logger'];
  streamRecheckMs?: number;
  streamHeartbeatMs?: number;
}

export interface FeeMasterApp {
  app: FastifyInstance;
  hub: LiveHub;
}

export const serverVersion = packageJson.version;

export async function buildApp(options: AppOptions): Promise<FeeMasterApp> {
  const app = Fastify({ logger: options.logger ?? false, trustProxy: true }).withTypeProvider<TypeBoxTypeProvider>();
  const { database } = options;
  const hub = createLiveHub();
  const tokens = createTokenService(await loadSigningKey(database.db, options.jwtSecret), options.accessTokenTtlSeconds ?? 43_200);
  const openStreams = new Set<() => void>();

  registerErrorHandler(app);
  await app.register(cors, { origin: options.corsOrigins ?? ['app://fee-master'], methods: ['GET', 'POST', 'PUT', 'DELETE'] });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Fee Master sync server', version: serverVersion },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, { database, version: serverVersion });
  await app.register(setupRoutes, { db: database.db, setupCode: options.setupCode });
  await app.register(authRoutes, { db: database.db, tokens });
  await app.register(syncRoutes, {
    db: database.db,
    tokens,
    hub,
    streamRecheckMs: options.streamRecheckMs ?? 30_000,
    streamHeartbeatMs: options.streamHeartbeatMs ?? 15_000,
    trackStream(end) {
      openStreams.add(end);
      return () => openStreams.delete(end);
    },
  });
  const webRoot = options.webRoot ?? null;
  if (webAppAvailable(webRoot)) await registerWebApp(app, webRoot);
  // Live streams never end on their own; close them so shutdown does not hang.
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
  });
  return { app, hub };
}
