// What the import screen and its worker say to each other.
import type { BalanceImportContext, BalanceImportPlan, ColumnMapping, FeeImportContext, FeeImportPlan, StudentImportContext, StudentImportPlan } from '@feemaster/core';

export type ImportKind = 'students' | 'fees' | 'balances';

export type ImportWorkerRequest = {
  bytes: ArrayBuffer;
  fileName: string;
  sheet?: string;
  mapping?: ColumnMapping;
} & (
  | { kind: 'students'; context: Omit<StudentImportContext, 'now' | 'newId'> }
  | { kind: 'fees'; context: Omit<FeeImportContext, 'now' | 'newId'> }
  | { kind: 'balances'; context: Omit<BalanceImportContext, 'now'> }
);

export type AnyImportPlan = { kind: 'students'; plan: StudentImportPlan } | { kind: 'fees'; plan: FeeImportPlan } | { kind: 'balances'; plan: BalanceImportPlan };

export type ImportWorkerReply =
  | { type: 'progress'; stage: 'reading' | 'checking'; rows?: number }
  /** `timings`: milliseconds the worker spent reading the file and planning (for the benchmark). */
  | ({ type: 'plan'; timings: { readMs: number; planMs: number } } & AnyImportPlan)
  | { type: 'file-error'; message: string; fix: string };
