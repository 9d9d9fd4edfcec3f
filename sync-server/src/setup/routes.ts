// First-run setup over HTTP, for the desk app's setup screen. Guarded by a one-time code the
// server prints to its own console, so nobody else on the network can claim the server.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SetupRequest, SetupStatus } from '@feemaster/core';
import { Type } from '@sinclair/typebox';
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { initSchool, isSetUp } from './init-school.ts';

export interface SetupRoutesOptions {
  db: Db;
  /** The code printed at start-up; null when the server was already set up when it started. */
  setupCode: string | null;
}

export const setupRoutes: FastifyPluginAsyncTypebox<SetupRoutesOptions> = async (app, { db, setupCode }) => {
  app.get('/api/v1/setup', { schema: { tags: ['setup'], summary: 'Whether first-run setup is still needed', response: { 200: SetupStatus } } }, async () => ({
    setupRequired: !(await isSetUp(db)),
  }));

  app.post(
    '/api/v1/setup',
    {
      schema: {
        tags: ['setup'],
        summary: 'Create the school and its owner (first run only)',
        body: SetupRequest,
        response: { 201: Type.Object({ schoolId: Type.String(), ownerId: Type.String() }) },
      },
    },
    async (request, reply) => {
      if (await isSetUp(db)) {
        throw new AppError(409, 'already-set-up', 'Fee Master is already set up. Sign in with the owner account instead.');
      }
      if (!setupCode || !sameCode(setupCode, request.body.setupCode.trim())) {
        throw new AppError(403, 'forbidden', 'The setup code is wrong. Use the code printed in the sync server console when it started.');
      }
      const created = await initSchool(db, request.body);
      return reply.status(201).send(created);
    },
  );
};

function sameCode(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toUpperCase());
  const b = Buffer.from(given.toUpperCase());
  return a.length === b.length && timingSafeEqual(a, b);
}
