// Liveness and readiness in one: the server's version and whether its database answers.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/client.ts';
import { isSetUp } from '../setup/init-school.ts';

export interface HealthRoutesOptions {
  database: Database;
  version: string;
}

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  version: Type.String(),
  database: Type.Object({ kind: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]), reachable: Type.Boolean() }),
  setupRequired: Type.Optional(Type.Boolean()),
});

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { database, version }) => {
  app.get('/health', { schema: { tags: ['health'], summary: 'Server and database health', response: { 200: Health, 503: Health } } }, async (request, reply) => {
    try {
      await database.ping();
      const setupRequired = !(await isSetUp(database.db));
      return { status: 'ok' as const, version, database: { kind: database.kind, reachable: true }, setupRequired };
    } catch (error) {
      request.log.warn({ err: error }, 'database ping failed');
      return reply.status(503).send({ status: 'unavailable', version, database: { kind: database.kind, reachable: false } });
    }
  });
};
