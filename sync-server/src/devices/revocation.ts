// The refusal a revoked desk sees at its next contact: when and why, in the school's time zone,
// and what to do about it — the same words at sign-in, refresh and every API request.
import { AppError } from '../errors.ts';

export function deviceRevokedError(revokedAt: string | null, reason: string | null, timezone: string): AppError {
  if (!revokedAt) {
    return new AppError(401, 'device-revoked', 'This desk is not registered with your school. Ask an admin to register it again.');
  }
  return new AppError(
    401,
    'device-revoked',
    `This desk was revoked by the school on ${formatInZone(revokedAt, timezone)}: ${reason ?? 'no reason given'}. Ask an admin to register it again.`,
  );
}

function formatInZone(instant: string, timezone: string): string {
  const date = new Date(instant);
  try {
    return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: timezone }).format(date);
  } catch (error) {
    // A school saved before zone validation existed: the UTC instant is still exact.
    if (error instanceof RangeError) return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    throw error;
  }
}
