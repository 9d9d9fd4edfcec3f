// Short-lived access tokens: EdDSA (Ed25519) JWTs. The key pair comes from
// FEEMASTER_JWT_PRIVATE_KEY or is generated once and kept in the database, so every instance on
// one database agrees. Verification accepts nothing but EdDSA from this issuer.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Role } from '@feemaster/core';
import { roles } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { serverSecrets } from '../db/schema.ts';

export interface AccessClaims {
  userId: string;
  schoolId: string;
  role: Role;
  /** The registered desk the sign-in is bound to (claim `dev`); null for an unregistered browser. */
  deviceId: string | null;
  /** The refresh-token family of the sign-in (claim `fam`), so ending it ends its access tokens. */
  familyId: string | null;
  /** Set when the sign-in began offline on the desk (claim `ofs`): permissions are capped. */
  offlineSessionId?: string | null;
}

/** The server's permission for one person to open offline sessions on one desk. */
export interface OfflineGrantClaims {
  userId: string;
  schoolId: string;
  deviceId: string;
  role: Role;
}

export interface TokenService {
  issue(claims: AccessClaims): Promise<{ token: string; expiresAt: Date }>;
  /** Null when the token is malformed, forged, expired or signed any other way than ours. */
  verify(token: string): Promise<(AccessClaims & { offlineSessionId: string | null; expiresAt: Date }) | null>;
  issueOfflineGrant(claims: OfflineGrantClaims, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }>;
  /** Null unless it is an unexpired grant of ours; `issuedAt` is compared with password changes. */
  verifyOfflineGrant(token: string): Promise<(OfflineGrantClaims & { issuedAt: Date; expiresAt: Date }) | null>;
}

export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export type Clock = () => Date;

const ISSUER = 'fee-master';
const ALGORITHM = 'EdDSA';
const SECRET_NAME = 'access-token-ed25519';
/** Grants carry their own JWT type and `use` claim, so neither kind of token passes for the other. */
const GRANT_TYPE = 'offline-grant+jwt';
const ACCESS_TYPE = 'JWT';
const GRANT_USE = 'offline-grant';

/** Reads an Ed25519 PKCS#8 PEM; `\n` escapes are accepted because env files hold one line. */
export function parseSigningKey(pem: string, source: string): SigningKeys {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem.replaceAll('\\n', '\n'), format: 'pem' });
  } catch (error) {
    throw new Error(
      `${source} is not a PEM private key (${error instanceof Error ? error.message : String(error)}). ` +
        'Create one with: openssl genpkey -algorithm ed25519',
      { cause: error },
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${source} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; access tokens need an Ed25519 key (openssl genpkey -algorithm ed25519).`);
  }
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export async function loadSigningKeys(db: Db, fromEnv: string | undefined): Promise<SigningKeys> {
  if (fromEnv) return parseSigningKey(fromEnv, 'FEEMASTER_JWT_PRIVATE_KEY');
  const generated = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
  // Two instances starting together may both generate; the first insert wins and both read it back.
  await db.insert(serverSecrets).values({ name: SECRET_NAME, value: generated.toString() }).onConflictDoNothing();
  const [row] = await db.select().from(serverSecrets).where(eq(serverSecrets.name, SECRET_NAME));
  if (!row) throw new Error('The access-token signing key could not be created in the database.');
  return parseSigningKey(row.value, `server_secrets.${SECRET_NAME}`);
}

export function createTokenService(keys: SigningKeys, ttlSeconds: number, clock: Clock = () => new Date()): TokenService {
  /** Our tokens of one kind, signed `typ` (header) with our key, in force now; their common claims checked. */
  const verifyOurs = async (token: string, typ: string) => {
    try {
      const { payload } = await jwtVerify(token, keys.publicKey, { issuer: ISSUER, algorithms: [ALGORITHM], typ, requiredClaims: ['sub', 'exp', 'iat'], currentDate: clock() });
      const role = roles.find((r) => r === payload.role);
      const { sub, exp, iat } = payload;
      if (!sub || typeof payload.sch !== 'string' || !role || !exp || !iat) return null;
      return { payload, userId: sub, schoolId: payload.sch, role, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
  };
  const sign = (claims: Record<string, unknown>, typ: string, userId: string, now: Date, expiresAt: Date): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, typ })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(keys.privateKey);

  return {
    async issue(claims) {
      const now = clock();
      const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
      const body = {
        sch: claims.schoolId,
        role: claims.role,
        ...(claims.deviceId ? { dev: claims.deviceId } : {}),
        ...(claims.familyId ? { fam: claims.familyId } : {}),
        ...(claims.offlineSessionId ? { ofs: claims.offlineSessionId } : {}),
      };
      const token = await sign(body, ACCESS_TYPE, claims.userId, now, expiresAt);
      return { token, expiresAt };
    },
    async verify(token) {
      const ours = await verifyOurs(token, ACCESS_TYPE);
      // A grant carries `use`: it must never pass for an access token.
      if (!ours || ours.payload.use !== undefined) return null;
      const { payload, userId, schoolId, role, expiresAt } = ours;
      const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
      return { userId, schoolId, role, deviceId: text(payload.dev), familyId: text(payload.fam), offlineSessionId: text(payload.ofs), expiresAt };
    },
    async issueOfflineGrant(claims, grantTtlSeconds) {
      const now = clock();
      const expiresAt = new Date(now.getTime() + grantTtlSeconds * 1000);
      const token = await sign({ use: GRANT_USE, sch: claims.schoolId, dev: claims.deviceId, role: claims.role }, GRANT_TYPE, claims.userId, now, expiresAt);
      return { token, expiresAt };
    },
    async verifyOfflineGrant(token) {
      const ours = await verifyOurs(token, GRANT_TYPE);
      if (!ours || ours.payload.use !== GRANT_USE || typeof ours.payload.dev !== 'string') return null;
      const { userId, schoolId, role, issuedAt, expiresAt } = ours;
      return { userId, schoolId, deviceId: ours.payload.dev, role, issuedAt, expiresAt };
    },
  };
}
