// Public surface of @feemaster/core: money, ids, document schemas, validation and the sync protocol.
export * from './money.ts';
export * from './currency.ts';
export * from './ids.ts';
export * from './schemas/primitives.ts';
export * from './schemas/rx-schema.ts';
export * from './schemas/students.ts';
export * from './validation.ts';
export * from './sync/collections.ts';
export * from './sync/protocol.ts';
export * from './api/auth.ts';
export * from './fees/reference.ts';
export * from './fees/fee-structures.ts';
export * from './fees/payers.ts';
export * from './fees/ledger.ts';
