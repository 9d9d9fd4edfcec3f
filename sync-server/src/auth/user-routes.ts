// The /api/v1/users endpoints an owner or admin uses to look after the school's staff: who
// works here in which role, adding people, withdrawing access and resetting passwords.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AddMemberRequest, IdString, MemberList, MemberSummary, ResetPasswordRequest, UpdateMemberRequest, actionPermissions } from '@feemaster/core';
import { authenticateToken, bearerToken, requireRole } from './authenticate.ts';
import { addMember, listMembers, updateMember } from './members.ts';
import { resetPassword } from './password-changes.ts';
import { originOf } from './routes.ts';
import type { AuthContext } from './sign-in.ts';

export const userRoutes: FastifyPluginAsyncTypebox<AuthContext> = async (app, ctx) => {
  app.get(
    '/api/v1/users',
    { schema: { tags: ['users'], summary: "The school's staff and their roles, withdrawn ones included", response: { 200: MemberList } } },
    async (request) => {
      const principal = await authenticateToken(ctx.db, ctx.tokens, bearerToken(request));
      requireRole(principal, actionPermissions['users.view'], 'see the staff list');
      return { members: await listMembers(ctx.db, principal.schoolId) };
    },
  );

  app.post(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Add a person to the school in a role: a new account with a first password, or someone who already has one',
        body: AddMemberRequest,
        response: { 201: MemberSummary },
      },
    },
    async (request, reply) => {
      const principal = await authenticateToken(ctx.db, ctx.tokens, bearerToken(request));
      requireRole(principal, actionPermissions['users.manage'], 'add staff');
      return reply.status(201).send(await addMember(ctx.db, principal, request.body, originOf(request)));
    },
  );

  app.put(
    '/api/v1/users/:userId',
    {
      schema: {
        tags: ['users'],
        summary: "Change a person's role at the school, or withdraw (and restore) their access",
        params: Type.Object({ userId: IdString }),
        body: UpdateMemberRequest,
        response: { 200: MemberSummary },
      },
    },
    async (request) => {
      const principal = await authenticateToken(ctx.db, ctx.tokens, bearerToken(request));
      requireRole(principal, actionPermissions['users.manage'], 'change staff roles or access');
      return updateMember(ctx.db, principal, request.params.userId, request.body, originOf(request), ctx.clock());
    },
  );

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
