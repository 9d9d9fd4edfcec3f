// /api/v1/realtime: a desk's live notification stream, and for owners and admins the connection
// status, a broadcast to roles or an office, and a message to one person — each audited.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { and, eq } from 'drizzle-orm';
import { BroadcastRequest, DeliveryReport, IdString, RealtimeStatus, SendToUserRequest, actionPermissions, newId, type RealtimeEvent } from '@feemaster/core';
import { appendAudit } from '../audit/audit-log.ts';
import { authenticateToken, bearerToken, requireRole, type Principal } from '../auth/authenticate.ts';
import { originOf } from '../auth/routes.ts';
import type { AuthContext } from '../auth/sign-in.ts';
import { devices, memberships, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { openEventStream } from '../sse/event-stream.ts';
import type { Audience, Notifier } from './notifier.ts';

export interface RealtimeRoutesOptions extends AuthContext {
  notifier: Notifier;
  streamRecheckMs: number;
  streamHeartbeatMs: number;
  trackStream(end: () => void): () => void;
}

export const realtimeRoutes: FastifyPluginAsyncTypebox<RealtimeRoutesOptions> = async (app, options) => {
  const { db, tokens, notifier } = options;
  const tags = ['realtime'];

  const sender = async (principal: Principal): Promise<RealtimeEvent['from']> => {
    const [row] = await db.select({ displayName: users.displayName }).from(users).where(eq(users.id, principal.userId));
    return { userId: principal.userId, displayName: row?.displayName ?? 'An administrator' };
  };

  app.get('/api/v1/realtime/stream', { schema: { tags, summary: 'Server-Sent Events: notifications aimed at this person, their role, office or desk' } }, async (request, reply) => {
    const token = bearerToken(request);
    const principal = await authenticateToken(db, tokens, token);
    const [device] = principal.deviceId ? await db.select({ officeId: devices.officeId }).from(devices).where(eq(devices.id, principal.deviceId)) : [];
    let disconnect = (): void => undefined;
    const stream = openEventStream(request, reply, {
      heartbeatMs: options.streamHeartbeatMs,
      recheckMs: options.streamRecheckMs,
      recheck: () => authenticateToken(db, tokens, token),
      track: (end) => options.trackStream(end),
      onEnd: () => disconnect(),
    });
    disconnect = notifier.connect({
      schoolId: principal.schoolId,
      userId: principal.userId,
      role: principal.role,
      deviceId: principal.deviceId,
      officeId: device?.officeId ?? null,
      send: (event) => stream.send(event),
    });
    stream.send('READY');
  });

  app.get('/api/v1/realtime/status', { schema: { tags, summary: "The school's live connections to this server instance, by role and office", response: { 200: RealtimeStatus } } }, async (request) => {
    const principal = await authenticateToken(db, tokens, bearerToken(request));
    requireRole(principal, actionPermissions['realtime.status'], 'see who is connected');
    return notifier.status(principal.schoolId);
  });

  const send = async (principal: Principal, audience: Audience, event: RealtimeEvent, action: string, origin: ReturnType<typeof originOf>): Promise<DeliveryReport> => {
    await db.transaction(async (tx) => {
      await appendAudit(tx, [
        {
          schoolId: principal.schoolId,
          actorUserId: principal.userId,
          actorRole: principal.role,
          deviceId: principal.deviceId,
          action,
          entityType: 'notification',
          entityId: event.id,
          after: { title: event.title, body: event.body, audience },
          ip: origin.ip,
          userAgent: origin.userAgent,
        },
      ]);
    });
    return { eventId: event.id, delivered: await notifier.notify(principal.schoolId, audience, event) };
  };

  app.post(
    '/api/v1/realtime/broadcast',
    { schema: { tags, summary: "Send a notice to the school's connected desks, optionally only some roles or one office", body: BroadcastRequest, response: { 200: DeliveryReport } } },
    async (request) => {
      const principal = await authenticateToken(db, tokens, bearerToken(request));
      requireRole(principal, actionPermissions['realtime.broadcast'], 'send notices to the desks');
      const { title, body, roles, officeId } = request.body;
      const event: RealtimeEvent = { id: newId(), kind: 'broadcast', at: options.clock().toISOString(), title: title.trim(), body, from: await sender(principal), subject: null };
      return send(principal, { ...(roles ? { roles } : {}), ...(officeId ? { officeId } : {}) }, event, 'realtime.broadcast', originOf(request));
    },
  );

  app.post(
    '/api/v1/realtime/send-to-user/:userId',
    {
      schema: {
        tags,
        summary: 'Send a notice to one person of the school, on every desk they are connected at',
        params: Type.Object({ userId: IdString }),
        body: SendToUserRequest,
        response: { 200: DeliveryReport },
      },
    },
    async (request) => {
      const principal = await authenticateToken(db, tokens, bearerToken(request));
      requireRole(principal, actionPermissions['realtime.broadcast'], 'send notices to the desks');
      const [member] = await db
        .select({ userId: memberships.userId })
        .from(memberships)
        .where(and(eq(memberships.userId, request.params.userId), eq(memberships.schoolId, principal.schoolId)));
      if (!member) throw new AppError(404, 'not-found', 'There is no such person on your school’s staff. Choose someone from the staff list.');
      const { title, body } = request.body;
      const event: RealtimeEvent = { id: newId(), kind: 'direct', at: options.clock().toISOString(), title: title.trim(), body, from: await sender(principal), subject: null };
      return send(principal, { userId: member.userId }, event, 'realtime.send-to-user', originOf(request));
    },
  );
};
