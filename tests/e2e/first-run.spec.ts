// First run in the browser: a fresh server with no school shows the setup screen, refuses a
// wrong setup code, creates the school, and the owner signs in and out.
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../sync-server/src/app.ts';
import { openDatabase, type Database } from '../../sync-server/src/db/client.ts';

let database: Database;
let app: FastifyInstance;
let baseURL: string;

test.beforeAll(async () => {
  database = await openDatabase({ kind: 'pglite-memory' });
  ({ app } = await buildApp({ database, setupCode: 'FIRSTRUN', webRoot: resolve(import.meta.dirname, '../../out/web') }));
  baseURL = await app.listen({ port: 0, host: '127.0.0.1' });
});
test.afterAll(async () => {
  await app.close();
  await database.close();
});

test('an owner sets up the school with the printed code, signs in and signs out', async ({ browser }) => {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto('/');
  const setup = page.getByRole('form', { name: 'First-run setup' });
  await expect(page.getByRole('heading', { name: 'Set up Fee Master' })).toBeVisible();
  await setup.getByLabel('Setup code').fill('WRONG000');
  await setup.getByLabel('School name').fill('Kilimani Junior School');
  await setup.getByLabel('Currency (ISO code)').fill('kes');
  await setup.getByLabel('Time zone').fill('Africa/Nairobi');
  await setup.getByLabel('Your name').fill('Mary Atieno');
  await setup.getByLabel('Your email').fill('mary@kilimani.example');
  await setup.getByLabel(/^Password/).fill('kilimani-fees-2026');
  await setup.getByRole('button', { name: 'Create school' }).click();
  await expect(setup.getByRole('alert')).toContainText('The setup code is wrong');

  await setup.getByLabel('Setup code').fill('firstrun');
  await setup.getByRole('button', { name: 'Create school' }).click();
  await expect(page.getByText('School created. Sign in with the owner account.')).toBeVisible();

  const signIn = page.getByRole('form', { name: 'Sign in' });
  await signIn.getByLabel('Email').fill('mary@kilimani.example');
  await signIn.getByLabel('Password').fill('not-my-password');
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await expect(signIn.getByRole('alert')).toHaveText('Email or password is incorrect.');
  await signIn.getByLabel('Password').fill('kilimani-fees-2026');
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('banner')).toContainText('Kilimani Junior School');
  await expect(page.getByRole('banner')).toContainText('Mary Atieno (owner)');
  await expect(page.getByText('No students yet. Add the first one.')).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('You are signed out.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();
  await context.close();
});
