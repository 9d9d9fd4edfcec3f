// What the export panel and its worker say to each other.
import type { ExportFormat, ExportSource } from '@feemaster/core';
import type { ExportSelection } from './export-form.ts';

export interface ExportWorkerRequest {
  selection: ExportSelection;
  format: ExportFormat;
  /** The documents the kind needs, read from the replica (export-build.ts exportNeeds). */
  source: ExportSource;
  currency: string;
  timeZone: string;
}

export type ExportWorkerReply =
  /** The rows are built: how many the file will hold. */
  | { type: 'rows'; total: number; /** Time the worker took to build them from the documents. */ buildMs: number }
  | { type: 'progress'; rowsDone: number; total: number; bytes: number }
  /** The next part of the file, transferred (the worker no longer holds it). */
  | { type: 'chunk'; bytes: ArrayBuffer }
  | { type: 'done'; rows: number; bytes: number; /** Time the worker took to write the file (and hand over its parts). */ writeMs: number }
  /** The export stopped; `message` says why and what to do. */
  | { type: 'failed'; message: string };
