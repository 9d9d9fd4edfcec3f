// Who is connected for live notifications, and delivering an event to those it is aimed at:
// roles, one office (or every office but one), one person or one desk. Events reach the other
// server instances on the same database through NOTIFY, so a desk gets them wherever it connects.
import type { RealtimeEvent, RealtimeStatus, Role } from '@feemaster/core';
import { roles } from '@feemaster/core';
import type { Database } from '../db/client.ts';

export interface Audience {
  roles?: readonly Role[];
  userId?: string;
  deviceId?: string;
  officeId?: string;
  /** Everyone but the desks of this office (a payment taken there is news elsewhere). */
  exceptOfficeId?: string;
}

export interface Connection {
  schoolId: string;
  userId: string;
  role: Role;
  deviceId: string | null;
  officeId: string | null;
  send(event: RealtimeEvent): void;
}

export interface Notifier {
  connect(connection: Connection): () => void;
  /** Delivers here and announces to the other instances; returns how many connections here got it. */
  notify(schoolId: string, audience: Audience, event: RealtimeEvent): Promise<number>;
  status(schoolId: string): RealtimeStatus;
  stop(): Promise<void>;
}

export const REALTIME_CHANNEL = 'feemaster_realtime';

function matches(connection: Connection, audience: Audience): boolean {
  if (audience.roles && !audience.roles.includes(connection.role)) return false;
  if (audience.userId && connection.userId !== audience.userId) return false;
  if (audience.deviceId && connection.deviceId !== audience.deviceId) return false;
  if (audience.officeId && connection.officeId !== audience.officeId) return false;
  if (audience.exceptOfficeId && connection.officeId === audience.exceptOfficeId) return false;
  return true;
}

interface Announcement {
  origin: string;
  schoolId: string;
  audience: Audience;
  event: RealtimeEvent;
}

export async function createNotifier(database: Database, instanceId: string, onError: (error: unknown) => void): Promise<Notifier> {
  const connections = new Set<Connection>();
  const deliverHere = (schoolId: string, audience: Audience, event: RealtimeEvent): number => {
    let delivered = 0;
    for (const connection of connections) {
      if (connection.schoolId !== schoolId || !matches(connection, audience)) continue;
      connection.send(event);
      delivered += 1;
    }
    return delivered;
  };
  const unlisten = await database.listen(
    REALTIME_CHANNEL,
    (payload) => {
      try {
        const announcement = JSON.parse(payload) as Announcement;
        if (announcement.origin !== instanceId) deliverHere(announcement.schoolId, announcement.audience, announcement.event);
      } catch (error) {
        onError(error);
      }
    },
    // Notifications are for people looking at a desk now: one missed while reconnecting is not replayed.
    () => undefined,
  );
  return {
    connect(connection) {
      connections.add(connection);
      return () => connections.delete(connection);
    },
    async notify(schoolId, audience, event) {
      const delivered = deliverHere(schoolId, audience, event);
      const announcement: Announcement = { origin: instanceId, schoolId, audience, event };
      await database.notify(REALTIME_CHANNEL, JSON.stringify(announcement));
      return delivered;
    },
    status(schoolId) {
      const mine = [...connections].filter((c) => c.schoolId === schoolId);
      const byOffice = new Map<string | null, number>();
      for (const c of mine) byOffice.set(c.officeId, (byOffice.get(c.officeId) ?? 0) + 1);
      return {
        connections: mine.length,
        byRole: roles.map((role) => ({ role, connections: mine.filter((c) => c.role === role).length })),
        byOffice: [...byOffice].map(([officeId, count]) => ({ officeId, connections: count })),
      };
    },
    stop: unlisten,
  };
}
