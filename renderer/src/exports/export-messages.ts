// What the export panel and its worker say to each other.
import type { ExportFormat } from '@feemaster/core';
import type { ExportSelection } from './export-form.ts';
import type { ReadProgress } from './payments-while-reading.ts';
import type { ExportQueries } from './read-replica.ts';

export type ExportWorkerRequest =
  | {
      type: 'export';
      selection: ExportSelection;
      format: ExportFormat;
      /** The replica queries of the documents the kind needs (export-build.ts exportNeeds), which the worker runs. */
      queries: ExportQueries;
      currency: string;
      timeZone: string;
    }
  /** Sent while the worker reads: staff display names by user id (rows are built once they are here). */
  | { type: 'staff'; names: ReadonlyMap<string, string> };

export type ExportWorkerReply =
  /**
   * The documents are read from the replica; milliseconds reading, and readying them (for the
   * benchmark). A payment export's rows and file are made during the read: its 'rows' comes with
   * no building time left, and its parts follow at once.
   */
  | { type: 'read'; queryMs: number; plainMs: number }
  /** How far a payment export's read of the ledger has come (its rows and file are made as they are read). */
  | ({ type: 'reading' } & ReadProgress)
  /** The rows are built: how many the file will hold. */
  | { type: 'rows'; total: number; /** Time the worker took to build them from the documents. */ buildMs: number }
  | { type: 'progress'; rowsDone: number; total: number; bytes: number }
  /** The next part of the file, transferred (the worker no longer holds it). */
  | { type: 'chunk'; bytes: ArrayBuffer }
  | {
      type: 'done';
      rows: number;
      bytes: number;
      /** Time the worker took to write the file (and hand over its parts). */
      writeMs: number;
      /** A payment export whose ledger did not come near enough its order: the file was written again after the read. */
      writtenAgain?: boolean;
    }
  /** The export stopped; `message` says why and what to do. */
  | { type: 'failed'; message: string };
