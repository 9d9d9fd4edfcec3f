// The small part of PouchDB's API the peer benchmark uses (the packages ship no types).
declare module 'pouchdb' {
  export interface PouchDocument {
    _id: string;
    [field: string]: unknown;
  }
  export interface BulkResult {
    ok?: boolean;
    id?: string;
    error?: boolean | string;
    reason?: string;
  }
  export interface DatabaseInfo {
    doc_count: number;
    update_seq: number | string;
  }
  export interface ReplicationResult {
    ok: boolean;
    docs_read: number;
    docs_written: number;
    doc_write_failures: number;
    errors: unknown[];
  }
  export interface ReplicationOptions {
    batch_size?: number;
    batches_limit?: number;
  }
  export interface Database {
    bulkDocs(docs: readonly PouchDocument[]): Promise<BulkResult[]>;
    info(): Promise<DatabaseInfo>;
    close(): Promise<void>;
    destroy(): Promise<void>;
  }
  export interface PouchStatic {
    new (name: string, options?: { adapter?: string }): Database;
    plugin(plugin: unknown): PouchStatic;
    replicate(source: Database, target: Database, options?: ReplicationOptions): Promise<ReplicationResult>;
  }
  const PouchDB: PouchStatic;
  export default PouchDB;
}

declare module 'pouchdb-adapter-memory' {
  const memoryAdapter: unknown;
  export default memoryAdapter;
}
