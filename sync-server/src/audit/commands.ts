// The operator's audit commands behind `npm run server -- …`: `verify-audit` recomputes the
// chains and exits 1 when one was tampered with; `prune-audit` applies retention.
import { parseArgs } from 'node:util';
import type { Database } from '../db/client.ts';
import { auditChains, schools } from '../db/schema.ts';
import { AuditPruneError, pruneAudit } from './prune.ts';
import { verifyAuditChains, type ChainVerification } from './verify.ts';

export const AUDIT_USAGE = `  npm run audit:verify [-- --chain <school id | system>]
                         recompute the audit chains; exit 1 when one was tampered with
  npm run server -- prune-audit --before <date> [--chain <school id | system>]
                         drop audit entries older than <date> behind a signed checkpoint`;

export type Print = (line: string) => void;

export async function verifyAuditCommand(database: Database, args: string[], print: Print = console.log): Promise<number> {
  const values = optionsOf(args, ['chain'], print);
  if (!values) return 2;
  const reports = await verifyAuditChains(database.db, { chain: values.chain });
  const names = await chainNames(database);
  print(`Audit trail on ${database.kind} at ${database.location}:`);
  if (reports.length === 0) print('  no audit entries yet.');
  for (const report of reports) print(`  ${names(report.chain)}: ${describe(report)}`);
  if (reports.every((report) => report.ok)) return 0;
  print(
    '\nThe audit trail was changed outside Fee Master. Keep a copy of the database as evidence before anything else writes to it,\n' +
      'and compare the entries named above with a backup or an earlier export to see what was altered.',
  );
  return 1;
}

export async function pruneAuditCommand(database: Database, args: string[], print: Print = console.log): Promise<number> {
  const values = optionsOf(args, ['chain', 'before'], print);
  if (!values) return 2;
  if (!values.before) {
    print(`Missing --before <date>: entries older than this date are pruned.\n${AUDIT_USAGE}`);
    return 2;
  }
  const chains = values.chain ? [values.chain] : (await database.db.select({ chain: auditChains.chain }).from(auditChains)).map((row) => row.chain).sort();
  const names = await chainNames(database);
  print(`Pruning the audit trail on ${database.kind} at ${database.location}:`);
  if (chains.length === 0) print('  no audit entries yet.');
  let failed = false;
  for (const chain of chains) {
    try {
      const result = await pruneAudit(database.db, { chain, beforeAt: values.before });
      print(
        `  ${names(chain)}: ${
          result.checkpoint ? `pruned ${result.prunedEntries} entries up to seq ${result.checkpoint.upToSeq}, checkpoint signed` : 'nothing older than that to prune'
        }`,
      );
    } catch (error) {
      if (!(error instanceof AuditPruneError)) throw error;
      print(`  ${names(chain)}: ${error.message}`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

/** Exit code 1 means a broken chain, so a mistyped option answers with usage and 2 instead. */
function optionsOf(args: string[], names: readonly ('chain' | 'before')[], print: Print): { chain?: string; before?: string } | null {
  try {
    return parseArgs({ args, options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])), strict: true }).values;
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS'))) throw error;
    print(`${error.message}\n${AUDIT_USAGE}`);
    return null;
  }
}

function describe(report: ChainVerification): string {
  if (report.broken) return `BROKEN at seq ${report.broken.seq}: ${report.broken.reason}`;
  const since = report.checkpoint ? ` after the retention checkpoint at seq ${report.checkpoint.upToSeq}` : '';
  return `ok (${report.entries} ${report.entries === 1 ? 'entry' : 'entries'}${since})`;
}

/** Chains are named by school id; an operator reads the school's name beside it. */
async function chainNames(database: Database): Promise<(chain: string) => string> {
  const known = new Map((await database.db.select({ id: schools.id, name: schools.name }).from(schools)).map((s) => [s.id, s.name]));
  return (chain) => {
    const name = known.get(chain);
    return name ? `${name} (${chain})` : chain === 'system' ? 'system (no school)' : `chain ${chain}`;
  };
}
