// The sync server process: `start` (default) serves; `init` performs first-run setup from the
// command line; `verify-audit` and `prune-audit` look after the audit trail. Handles signals for
// a graceful shutdown.
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type ServerConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { AppError } from './errors.ts';
import { initSchool, isSetUp } from './setup/init-school.ts';
import { AUDIT_USAGE, pruneAuditCommand, verifyAuditCommand } from './audit/commands.ts';

const USAGE = `Usage:
  npm run server                       start the sync server (PORT, FEEMASTER_DATA_DIR, DATABASE_URL)
  npm run server -- init --school "<name>" --currency <ISO 4217> --timezone <IANA zone>
                         --owner-email <email> --owner-password <password> [--owner-name "<name>"]
${AUDIT_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'start';
  const rest = command === argv[0] ? argv.slice(1) : argv;
  const config = loadConfig();
  switch (command) {
    case 'start':
      return start(config);
    case 'init':
      return init(config, rest);
    case 'verify-audit':
    case 'prune-audit': {
      const database = await openDatabase(config.database);
      try {
        return await (command === 'verify-audit' ? verifyAuditCommand : pruneAuditCommand)(database, rest);
      } finally {
        await database.close();
      }
    }
    case 'help':
      console.log(USAGE);
      return 0;
    default:
      console.error(`Unknown command '${command}'.\n${USAGE}`);
      return 2;
  }
}

async function init(config: ServerConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      school: { type: 'string' },
      currency: { type: 'string' },
      timezone: { type: 'string' },
      'owner-email': { type: 'string' },
      'owner-password': { type: 'string' },
      'owner-name': { type: 'string' },
    },
    strict: true,
  });
  const missing = ['school', 'currency', 'timezone', 'owner-email', 'owner-password'].filter((k) => !values[k as keyof typeof values]);
  if (missing.length > 0) {
    console.error(`Missing ${missing.map((m) => `--${m}`).join(', ')}.\n${USAGE}`);
    return 2;
  }
  const database = await openDatabase(config.database);
  try {
    const result = await initSchool(database.db, {
      schoolName: values.school ?? '',
      currency: (values.currency ?? '').toUpperCase(),
      timezone: values.timezone ?? '',
      ownerEmail: values['owner-email'] ?? '',
      ownerPassword: values['owner-password'] ?? '',
      ownerName: values['owner-name'] ?? 'School owner',
    });
    console.log(`Set up "${values.school}" (school ${result.schoolId}) on ${database.kind} at ${database.location}.`);
    console.log(`Sign in as ${values['owner-email']} with the password you chose.`);
    return 0;
  } finally {
    await database.close();
  }
}

async function start(config: ServerConfig): Promise<number> {
  const database = await openDatabase(config.database);
  const setupCode = (await isSetUp(database.db)) ? null : newSetupCode();
  const { app } = await buildApp({
    database,
    setupCode,
    webRoot: config.webRoot,
    corsOrigins: config.corsOrigins,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    offlineGrantTtlSeconds: config.offlineGrantTtlSeconds,
    jwtPrivateKey: config.jwtPrivateKey,
    stripe: config.stripe,
    logger: { level: config.logLevel },
  });
  app.addHook('onClose', async () => database.close());
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const address = await app.listen({ port: config.port, host: config.host });
  const local = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  app.log.info({ database: database.kind, location: database.location }, 'database ready');
  console.log(`Fee Master sync server ${local} (database: ${database.kind}, ${database.location})`);
  console.log(`API docs: ${local}/docs`);
  if (config.webRoot && app.hasRoute({ method: 'GET', url: '/*' })) console.log(`Desk app (browser edition): ${local}/`);
  if (setupCode) {
    console.log(`\nFirst run: no school is set up yet. Open ${local}/ and enter setup code ${setupCode},`);
    console.log('or run: npm run server -- init --school "<name>" --currency <ISO> --timezone <zone> --owner-email <e> --owner-password <p>\n');
  }
  return new Promise<number>(() => undefined);
}

function newSetupCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 8 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof AppError || (error instanceof Error && error.name === 'DataDirInUseError')) {
      console.error(`Error: ${error.message}`);
    } else if (error instanceof Error && 'code' in error && error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`${error.message}\n${USAGE}`);
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);
