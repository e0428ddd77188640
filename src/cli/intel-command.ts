/**
 * `vigil intel add FILE… | list | remove <file|id>`: threat-intelligence indicators kept in the
 * same SQLite database as the alerts (--db, else $VIGIL_DB or the user data directory), which
 * `vigil scan` then matches during enrichment and uses for attribution.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import { VigilError } from '../core/errors.js';
import { parseIntelFileDetailed } from '../intel/index.js';
import { openStore, type VigilStore } from '../store/open.js';
import type { StoredIndicator } from '../store/types.js';
import { defaultDbPath } from './paths.js';
import { formatCount, safeText } from './report.js';

export interface IntelCommandIo {
  out(text: string): void;
  err(text: string): void;
  now(): number;
}

/** indicators listed per file in the terminal view; --json lists every one */
const SHOWN_PER_FILE = 50;

const iso = (ms: number | undefined): string | undefined => (ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString());

function withStore<T>(location: string, fn: (s: VigilStore) => T): T {
  const store = openStore(location);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function actorText(i: StoredIndicator): string {
  return i.actors.map((a) => (a.attackId ? `${a.name} (${a.attackId})` : a.name)).join(', ');
}

function indicatorJson(i: StoredIndicator): Record<string, unknown> {
  const o: Record<string, unknown> = { id: i.id, file: i.file, kind: i.kind, value: i.value, source: i.source, actors: i.actors };
  if (i.validFrom !== undefined) o['validFrom'] = iso(i.validFrom);
  if (i.validUntil !== undefined) o['validUntil'] = iso(i.validUntil);
  if (i.ref !== undefined) o['ref'] = i.ref;
  o['addedAt'] = iso(i.addedAt);
  return o;
}

function renderList(all: readonly StoredIndicator[]): string {
  const byFile = new Map<string, StoredIndicator[]>();
  for (const i of all) {
    const l = byFile.get(i.file);
    if (l) l.push(i);
    else byFile.set(i.file, [i]);
  }
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    const actors = [...new Set(list.flatMap((i) => i.actors.map((a) => a.name)))];
    const added = iso(list[0]?.addedAt)?.slice(0, 16).replace('T', ' ') ?? '?';
    lines.push(`${safeText(file, 120)}: ${formatCount(list.length)} indicator(s), added ${added} UTC${actors.length > 0 ? `; actors: ${safeText(actors.join(', '), 200)}` : ''}`);
    for (const i of list.slice(0, SHOWN_PER_FILE)) {
      const valid = i.validFrom !== undefined || i.validUntil !== undefined ? ` valid ${iso(i.validFrom)?.slice(0, 10) ?? '…'} to ${iso(i.validUntil)?.slice(0, 10) ?? '…'}` : '';
      const who = actorText(i);
      lines.push(`  #${i.id} ${i.kind} ${safeText(i.value, 100)}${who ? ` → ${safeText(who, 120)}` : ''}${valid}`);
    }
    if (list.length > SHOWN_PER_FILE) lines.push(`  … and ${formatCount(list.length - SHOWN_PER_FILE)} more (--json lists them all)`);
  }
  lines.push('', `${formatCount(all.length)} indicator(s) from ${formatCount(byFile.size)} file(s)`);
  return `${lines.join('\n')}\n`;
}

export function registerIntelCommand(program: Command, io: Partial<IntelCommandIo> = {}): Command {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  const now = io.now ?? Date.now;
  const dbOption = '--db <file>';
  const dbHelp = 'SQLite file (default: $VIGIL_DB or the user data directory; the one vigil scan uses)';

  const intel = program.command('intel').description('threat-intelligence indicators that scans match and attribute with');

  intel
    .command('add')
    .description('store the indicators of STIX 2.1 bundles, MISP event JSON or CSV (ip,actor,source) files; adding a file again replaces its indicators')
    .argument('<files...>', 'intelligence files')
    .option(dbOption, dbHelp)
    .action((files: string[], flags: { db?: string }) => {
      // parse everything first: a bad file leaves the database as it was
      const parsed = files.map((f) => ({ file: f, result: parseIntelFileDetailed(f) }));
      for (const { file, result } of parsed) {
        if (result.indicators.length === 0) {
          const why = result.problems[0] ? ` (${result.problems[0]})` : '';
          throw new VigilError('INPUT_UNRECOGNIZED', `no usable address or network indicator${why}`, file);
        }
      }
      const location = flags.db ?? defaultDbPath();
      withStore(location, (store) => {
        const before = new Map<string, number>();
        for (const i of store.listIntel()) before.set(i.file, (before.get(i.file) ?? 0) + 1);
        const at = now();
        for (const { file, result } of parsed) {
          const name = basename(file);
          const kept = store.replaceIntel(name, result.indicators, at);
          const actors = [...new Set(result.indicators.flatMap((i) => i.actors.map((a) => a.name)))];
          const replaced = before.get(name);
          out(
            `${safeText(name, 120)}: ${formatCount(kept)} indicator(s) stored` +
              (actors.length > 0 ? `, naming ${safeText(actors.join(', '), 200)}` : ', no actor named') +
              (replaced !== undefined ? ` (replaced the ${formatCount(replaced)} added earlier)` : '') +
              '\n',
          );
          if (result.skipped > 0) err(`${safeText(name, 120)}: ${formatCount(result.skipped)} entr${result.skipped === 1 ? 'y' : 'ies'} skipped\n`);
          for (const p of result.problems.slice(0, 5)) err(`  ${safeText(p, 300)}\n`);
        }
        out(`in ${location}\n`);
      });
    });

  intel
    .command('list')
    .description('list the stored indicators by file')
    .option(dbOption, dbHelp)
    .option('--json', 'one indicator per line as JSON')
    .action((flags: { db?: string; json?: boolean }) => {
      const location = flags.db ?? defaultDbPath();
      if (!existsSync(location)) {
        err(`no intelligence stored yet at ${location} (run vigil intel add FILE first)\n`);
        return;
      }
      const all = withStore(location, (s) => s.listIntel());
      if (flags.json) {
        out(all.map((i) => `${JSON.stringify(indicatorJson(i))}\n`).join(''));
        return;
      }
      out(all.length === 0 ? 'No indicators stored.\n' : renderList(all));
    });

  intel
    .command('remove')
    .description('remove the indicators of one file (by its name) or one indicator (by its #id)')
    .argument('<file-or-id>', 'file name as listed, or an indicator id')
    .option(dbOption, dbHelp)
    .action((what: string, flags: { db?: string }) => {
      const location = flags.db ?? defaultDbPath();
      // a file name first ("#12" could be one), then "#12" / "12" as an id
      const removed = existsSync(location)
        ? withStore(location, (s) => s.removeIntel(what) || (what.startsWith('#') ? s.removeIntel(what.slice(1)) : 0))
        : 0;
      if (removed === 0) throw new VigilError('USAGE', `nothing stored matches ${safeText(what, 120)} (see vigil intel list)`);
      out(`removed ${formatCount(removed)} indicator(s)\n`);
    });

  return intel;
}
