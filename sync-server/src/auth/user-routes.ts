// The /api/v1/users endpoints an owner or admin uses to look after colleagues' accounts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdString, ResetPasswordRequest } from '@feemaster/core';
import { authenticateToken, bearerToken } from './authenticate.ts';
import { resetPassword } from './password-changes.ts';
import { originOf } from './routes.ts';
import type { AuthContext } from './sign-in.ts';

export const userRoutes: FastifyPluginAsyncTypebox<AuthContext> = async (app, ctx) => {
  app.post(
    '/api/v1/users/:userId/reset-password',
    {
      schema: {
        tags: ['auth'],
        summary: "Set a new password for a user of the caller's school (owner or admin); ends that user's sign-ins",
        params: Type.Object({ userId: IdString }),
        body: ResetPasswordRequest,
      },
    },
    async (request, reply) => {
      const principal = await authenticateToken(ctx.db, ctx.tokens, bearerToken(request));
      await resetPassword(ctx, principal, request.params.userId, request.body, originOf(request));
      return reply.status(204).send();
    },
  );
};
