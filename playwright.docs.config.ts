// `npm run docs:screenshots`: the README's pictures, taken in Debian's Chromium against the same
// kind of server as the browser tests (tests/docs). Needs poppler's pdftoppm for the receipt.
import { defineConfig } from '@playwright/test';
import base from './playwright.config.ts';

export default defineConfig({ ...base, testDir: 'tests/docs', projects: undefined, reporter: [['list']] });
