// Password hashing with argon2id (OWASP-recommended parameters), prebuilt via @node-rs/argon2.
import { hash, verify } from '@node-rs/argon2';

const ARGON2ID = 2;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password);
}

/** A hash of a random password, verified against when the email is unknown so timing does not reveal it. */
export const decoyHashPromise: Promise<string> = hashPassword(crypto.randomUUID());
