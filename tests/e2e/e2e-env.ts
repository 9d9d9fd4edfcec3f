// Constants shared by the e2e server and the specs.
export const E2E_PORT = Number(process.env.E2E_PORT ?? 8799);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const E2E_DATABASE = 'feemaster_e2e';
export const E2E_OWNER = { ownerEmail: 'bursar@riverside.example', ownerPassword: 'riverside-fees-2026' };

export function e2eDatabaseUrl(adminUrl: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${E2E_DATABASE}`;
  return url.toString();
}
