// The /api/v1/devices endpoints: an owner or admin registers the school's desks and revokes a
// lost or retired one; a revoked desk is refused at its next request.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DeviceApproval, DeviceList, DeviceSummary, IdString, RegisterDeviceRequest, RevokeDeviceRequest, actionPermissions, type Role } from '@feemaster/core';
import { authenticateToken, bearerToken, requireRole } from '../auth/authenticate.ts';
import type { AuthContext } from '../auth/sign-in.ts';
import type { LiveHub } from '../sync/live-hub.ts';
import type { Notifier } from '../realtime/notifier.ts';
import { deviceRevokedEvent } from '../realtime/payment-events.ts';
import { listDevices, newApprovalCode, registerDevice, revokeDevice, type DeviceAction } from './repository.ts';

/** From the core permission table: desks are the school's admins' business; auditors may look. */
const deviceManagers: readonly Role[] = actionPermissions['devices.manage'];
const deviceViewers: readonly Role[] = actionPermissions['devices.view'];

export const deviceRoutes: FastifyPluginAsyncTypebox<AuthContext & { hub: LiveHub; instanceId: string; notifier: Notifier }> = async (app, ctx) => {
  app.post(
    '/api/v1/devices',
    {
      schema: {
        tags: ['devices'],
        summary: 'Register a desk for the school; returns it with a one-time approval code to enrol it with',
        body: RegisterDeviceRequest,
        response: { 201: DeviceApproval },
      },
    },
    async (request, reply) => {
      const principal = await authenticateToken(ctx.db, ctx.tokens, bearerToken(request));
      requireRole(principal, deviceManagers, 'register desks');
      const action: DeviceAction = { principal, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, now: ctx.clock(), origin: ctx.instanceId };
      const { written, ...approval } = await registerDevice(ctx.db, request.body, action);
      if (written && written.written.length > 0) {
        ctx.hub.publish(principal.schoolId, 'reference', { documents: written.written, checkpoint: written.checkpoint });
      }
      return reply.status(201).send(approval);
    },
  );

  app.post(
    '/api/v1/devices/:deviceId/approval-code',
    {
      schema: {
        tags: ['devices'],
        summary: 'A new one-time approval code for a desk (first enrolment, or a reinstalled desk); the old secret stops working once it is used',
        params: Type.Object({ deviceId: IdString }),
        response: { 200: DeviceApproval },
      },
    },
    async (request) => {
      const principal = await authenticateToken(ctx.db, ctx.tokens, bearerToken(request));
      requireRole(principal, deviceManagers, 'enrol desks');
      const action: DeviceAction = { principal, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, now: ctx.clock(), origin: ctx.instanceId };
      return newApprovalCode(ctx.db, request.params.deviceId, action);
    },
  );

  app.get(
    '/api/v1/devices',
    { schema: { tags: ['devices'], summary: "The school's desks, revoked ones included", response: { 200: DeviceList } } },
    async (request) => {
      const principal = await authenticateToken(ctx.db, ctx.tokens, bearerToken(request));
      requireRole(principal, deviceViewers, 'see the list of desks');
      return { devices: await listDevices(ctx.db, principal.schoolId) };
    },
  );

  app.post(
    '/api/v1/devices/:deviceId/revoke',
    {
      schema: {
        tags: ['devices'],
        summary: 'Revoke a desk: its sign-ins end and every request from it is refused, with the reason',
        params: Type.Object({ deviceId: IdString }),
        body: RevokeDeviceRequest,
        response: { 200: DeviceSummary },
      },
    },
    async (request) => {
      const principal = await authenticateToken(ctx.db, ctx.tokens, bearerToken(request));
      requireRole(principal, deviceManagers, 'revoke desks');
      const action: DeviceAction = { principal, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, now: ctx.clock(), origin: ctx.instanceId };
      const revoked = await revokeDevice(ctx.db, request.params.deviceId, request.body.reason, action);
      // The desk hears it at once (its next request is refused anyway), and so do the admins.
      const event = deviceRevokedEvent(revoked, ctx.clock());
      await ctx.notifier.notify(principal.schoolId, { deviceId: revoked.id }, event);
      await ctx.notifier.notify(principal.schoolId, { roles: deviceManagers }, event);
      return revoked;
    },
  );
};
