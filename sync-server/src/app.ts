// Builds the Fastify application from its parts; server.ts starts it, tests inject into it.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import packageJson from '../package.json' with { type: 'json' };
import type { Database } from './db/client.ts';
import { registerErrorHandler } from './errors.ts';
import { createTokenService, loadSigningKeys } from './auth/tokens.ts';
import { createApprovalKeys } from './auth/approval-keys.ts';
import { authRoutes } from './auth/routes.ts';
import type { AuthContext } from './auth/sign-in.ts';
import { userRoutes } from './auth/user-routes.ts';
import { deviceRoutes } from './devices/routes.ts';
import { DEFAULT_BODY_LIMIT, registerNulGuard, registerSecurityHeaders, withLogRedaction } from './security/http-hardening.ts';
import { setupRoutes } from './setup/routes.ts';
import { healthRoutes } from './health/routes.ts';
import { syncRoutes } from './sync/routes.ts';
import { conflictRoutes } from './sync/conflict-routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { createNotifier } from './realtime/notifier.ts';
import { realtimeRoutes } from './realtime/routes.ts';
import { startCrossInstanceFeed } from './sync/change-feed.ts';
import { createLiveHub, type LiveHub } from './sync/live-hub.ts';
import { registerWebApp, webAppAvailable } from './web/static.ts';
import { connectStripe, type StripeSettings } from './integrations/stripe/stripe-connection.ts';
import { createCardPayments } from './integrations/stripe/card-payments.ts';
import { cardPaymentRoutes } from './integrations/stripe/card-routes.ts';
import { bulkExportRoutes } from './bulk/export-routes.ts';
import { importRoutes } from './bulk/import-routes.ts';
import { studentRoutes } from './bulk/student-routes.ts';

export interface AppOptions {
  database: Database;
  setupCode: string | null;
  webRoot?: string | null;
  corsOrigins?: string[];
  /** Access-token lifetime; default 15 minutes (FEEMASTER_ACCESS_TOKEN_TTL). */
  accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime since its last use; default 30 days (FEEMASTER_REFRESH_TOKEN_TTL). */
  refreshTokenTtlSeconds?: number;
  /** How long after an online sign-in on a desk offline sessions may open there; default 30 days (FEEMASTER_OFFLINE_GRANT_TTL). */
  offlineGrantTtlSeconds?: number;
  /** Ed25519 PKCS#8 PEM (FEEMASTER_JWT_PRIVATE_KEY); by default a key pair kept in the database. */
  jwtPrivateKey?: string;
  /** Requests to /api/v1/auth/* per client address per minute; default 20. */
  authRateLimitPerMinute?: number;
  /** The auth clock (token expiry, lockout window); tests move it instead of sleeping. */
  clock?: () => Date;
  logger?: FastifyServerOptions['logger'];
  streamRecheckMs?: number;
  streamHeartbeatMs?: number;
  /** Card payments through Stripe; default (no key) the built-in simulator, labelled as such. */
  stripe?: StripeSettings;
}

export interface FeeMasterApp {
  app: FastifyInstance;
  hub: LiveHub;
  /** Every route the app serves, as registered (the security suite walks this table). */
  routes: readonly { method: string; url: string }[];
}

export const serverVersion = packageJson.version;

/** Connections that have not carried a request yet, kept up to date as requests arrive. */
function trackUnusedConnections(app: FastifyInstance): ReadonlySet<Socket> {
  const unused = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  app.addHook('onRequest', async (request) => {
    unused.delete(request.raw.socket);
  });
  return unused;
}

export async function buildApp(options: AppOptions): Promise<FeeMasterApp> {
  const app = Fastify({ logger: withLogRedaction(options.logger), trustProxy: true, bodyLimit: DEFAULT_BODY_LIMIT }).withTypeProvider<TypeBoxTypeProvider>();
  const { database } = options;
  const hub = createLiveHub();
  const instanceId = randomUUID();
  const routes: { method: string; url: string }[] = [];
  const unusedConnections = trackUnusedConnections(app);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  const clock = options.clock ?? (() => new Date());
  const signingKeys = await loadSigningKeys(database.db, options.jwtPrivateKey);
  const tokens = createTokenService(signingKeys, options.accessTokenTtlSeconds ?? 900, clock);
  const offlineGrantTtlSeconds = options.offlineGrantTtlSeconds ?? 30 * 86_400;
  // Sign-in hands out refund-approval keys and the sync routes check them: the same keys, from the signing key.
  const approvalKeys = createApprovalKeys(signingKeys, offlineGrantTtlSeconds, clock);
  const auth: AuthContext = {
    db: database.db,
    tokens,
    clock,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 30 * 86_400,
    offlineGrantTtlSeconds,
    approvalKeys,
  };
  const openStreams = new Set<() => void>();
  // Replication and notification streams: the same timing, and all ended at shutdown.
  const streams = {
    streamRecheckMs: options.streamRecheckMs ?? 30_000,
    streamHeartbeatMs: options.streamHeartbeatMs ?? 15_000,
    trackStream(end: () => void): () => void {
      openStreams.add(end);
      return () => openStreams.delete(end);
    },
  };
  // Pushes through other instances on the same database reach this instance's streams too.
  const feed = await startCrossInstanceFeed({ database, hub, instanceId, onError: (error) => app.log.error({ err: error }, 'relaying a change from another instance failed') });
  const notifier = await createNotifier(database, instanceId, (error) => app.log.error({ err: error }, 'relaying a notification from another instance failed'));

  registerErrorHandler(app);
  await registerSecurityHeaders(app);
  registerNulGuard(app);
  // gzip for pulls and lists over slow office links; a fast level, since pulls are the hot path.
  // Event streams are written raw (hijacked), so they are never buffered by compression.
  await app.register(compress, { encodings: ['gzip'], threshold: 1024, zlibOptions: { level: 1 } });
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
  await app.register(authRoutes, { ...auth, rateLimitPerMinute: options.authRateLimitPerMinute ?? 20 });
  await app.register(userRoutes, auth);
  await app.register(deviceRoutes, { ...auth, hub, instanceId, notifier });
  await app.register(auditRoutes, { db: database.db, tokens });
  await app.register(syncRoutes, {
    db: database.db,
    tokens,
    approvalKeys,
    hub,
    instanceId,
    notifier,
    ...streams,
  });
  await app.register(conflictRoutes, { db: database.db, tokens, hub, notifier, instanceId });
  await app.register(realtimeRoutes, { ...auth, notifier, ...streams });
  const stripe = await connectStripe(options.stripe ?? {});
  await app.register(cardPaymentRoutes, { db: database.db, tokens, connection: stripe, cards: createCardPayments(database.db, stripe, clock) });
  await app.register(bulkExportRoutes, { db: database.db, tokens });
  const webRoot = options.webRoot ?? null;
  await app.register(importRoutes, { db: database.db, tokens, notifier, instanceId });
  await app.register(studentRoutes, { db: database.db, tokens, notifier, instanceId });
  if (webAppAvailable(webRoot)) await registerWebApp(app, webRoot);
  // Live streams never end on their own; close them so shutdown does not hang.
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
    // A connection opened ahead of a request that never came (browsers preconnect) would hold
    // the close until Node's 60-second header timeout; idle keep-alive ones Fastify closes itself.
    for (const socket of unusedConnections) socket.destroy();
    await feed.stop();
    await notifier.stop();
    await stripe.close();
  });
  return { app, hub, routes };
}
