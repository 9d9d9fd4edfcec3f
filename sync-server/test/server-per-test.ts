// For server tests: one database per test file and a fresh server on it for every test (the
// database emptied first), closed at the end. Read `database` and `server` inside tests.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { openTestDatabase, type TestDatabase } from './database.ts';

export interface ServerPerTest<S> {
  readonly database: TestDatabase;
  readonly server: S;
}

export function serverPerTest<S extends { app: { close(): Promise<unknown> } }>(start: (database: TestDatabase) => Promise<S>): ServerPerTest<S> {
  let database: TestDatabase | undefined;
  let server: S | undefined;
  const opened = (): TestDatabase => {
    if (!database) throw new Error('the test database is opened in beforeAll; read it inside a test');
    return database;
  };
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await server?.app.close();
    await database?.close();
  });
  beforeEach(async () => {
    await server?.app.close();
    await opened().reset();
    server = await start(opened());
  });
  return {
    get database() {
      return opened();
    },
    get server() {
      if (!server) throw new Error('the server is started in beforeEach; read it inside a test');
      return server;
    },
  };
}
