// What the import screen and its worker say to each other.
import type { BalanceImportContext, BalanceImportPlan, ColumnMapping, FeeImportContext, FeeImportPlan, StudentImportContext, StudentImportPlan, UnmappedColumns } from '@feemaster/core';
import type { ReplicaQuery } from '../db/replica-read.ts';

export type ImportKind = 'students' | 'fees' | 'balances';

/** What the worker must know of the school to plan one kind of import. */
export type ImportTask =
  | {
      kind: 'students';
      context: Omit<StudentImportContext, 'now' | 'newId' | 'students' | 'payers'>;
      /** The school's students and payers, which the worker reads from the replica itself (as RxDB would return them). */
      replica: { students: ReplicaQuery; payers: ReplicaQuery };
    }
  | { kind: 'fees'; context: Omit<FeeImportContext, 'now' | 'newId'> }
  | { kind: 'balances'; context: Omit<BalanceImportContext, 'now'> };

export type ImportWorkerRequest = {
  bytes: ArrayBuffer;
  fileName: string;
  sheet?: string;
  mapping?: ColumnMapping;
} & ImportTask;

export type AnyImportPlan = { kind: 'students'; plan: StudentImportPlan } | { kind: 'fees'; plan: FeeImportPlan } | { kind: 'balances'; plan: BalanceImportPlan };

export type ImportWorkerReply =
  | { type: 'progress'; stage: 'reading' | 'checking'; rows?: number }
  /**
   * `timings` (for the benchmark), in milliseconds: reading the file and the school's students and
   * payers (`readMs`, the two side by side: `fileMs` the file alone, `schoolMs` the replica alone), then planning.
   */
  | ({ type: 'plan'; timings: { readMs: number; fileMs: number; schoolMs: number; planMs: number } } & AnyImportPlan)
  /** `unmapped`: only required columns are missing, and the person may choose them. */
  | { type: 'file-error'; message: string; fix: string; unmapped?: UnmappedColumns };
