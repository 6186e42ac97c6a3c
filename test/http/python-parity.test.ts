import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { startServer } from './support.js';
import { closeAgent, differences, send } from './python-parity/replay.js';
import type { RecordedCase } from './python-parity/replay.js';

/**
 * Drop-in parity with the Python service: every recorded exchange in test/fixtures/python-ope-v1 is replayed
 * against OPE (one fresh service per recorded instance, as its README prescribes) and must answer the same, or be
 * listed in docs/api.md's "Differences from the Python service" table with the reason. The table is read from
 * the doc itself, so the doc and the test cannot drift apart: a listed pattern that no longer differs fails too.
 */

const cases = readFileSync(new URL('../fixtures/python-ope-v1/cases.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as RecordedCase);

interface DocumentedDifference {
  readonly cases: readonly RegExp[];
  readonly fields: readonly RegExp[];
  readonly text: string;
}

/** A field glob of the table (`*` matches anything, including `[0]`) as an anchored regular expression. */
function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** A case-id glob: `*` matches anything, `[3-9]` one character of the class. */
function caseGlobToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/**
 * The rows of docs/api.md's differences table: backticked case-id globs in the first column, backticked field
 * globs (`status`, `headers.allow`, `body.results[*].cached`, ...) in the second.
 */
function documentedDifferences(): DocumentedDifference[] {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const start = doc.indexOf('## Differences from the Python service');
  assert.ok(start >= 0, 'docs/api.md has no "Differences from the Python service" section');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  const rows: DocumentedDifference[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('|') || line.startsWith('|---') || line.startsWith('| cases')) continue;
    const [, casesColumn = '', fieldsColumn = ''] = line.split('|');
    const globs = (column: string, compile: (glob: string) => RegExp): RegExp[] =>
      [...column.matchAll(/`([^`]+)`/g)].map((m) => compile(m[1]!));
    const cases = globs(casesColumn, caseGlobToRegExp);
    const fields = globs(fieldsColumn, globToRegExp);
    assert.ok(cases.length > 0 && fields.length > 0, `a differences row without case or field globs: ${line}`);
    rows.push({ cases, fields, text: line.slice(0, 120) });
  }
  return rows;
}

/** The field a difference line is about: the text before its first ": ". */
function fieldOf(line: string): string {
  return line.slice(0, line.indexOf(': '));
}

/** The environment of the recording (fixture README, "Service environment"), on top of the test server's. */
const BASE_ENV: Record<string, string> = {
  OPE_ENVIRONMENT: 'staging',
  OPE_ALLOWED_HOSTS: '127.0.0.1,localhost',
  RATE_LIMIT_DEFAULT: '100000000/minute',
};

describe('python-ope-v1 replay', () => {
  after(closeAgent);

  it(
    'answers every recorded exchange as the Python service did, or as docs/api.md documents',
    { timeout: 600_000 },
    async () => {
      const byInstance = new Map<string, RecordedCase[]>();
      for (const c of cases) {
        const list = byInstance.get(c.service.instance) ?? [];
        list.push(c);
        byInstance.set(c.service.instance, list);
      }
      const mismatches = new Map<string, string[]>();
      for (const list of byInstance.values()) {
        const server = await startServer({ env: { ...BASE_ENV, ...list[0]!.service.env } });
        try {
          const port = (server.app.server.address() as AddressInfo).port;
          // Re-sending an upsert identical to one already sent to this instance changes only the point's timestamp
          // (a volatile field): skip it. Group a re-sends its whole surface before every case.
          const upserted = new Set<string>();
          for (const c of list) {
            for (const s of c.setup) {
              const key = JSON.stringify([s.method, s.path, s.auth, s.body, s.raw_body, s.headers]);
              const isUpsert = s.method === 'POST' && s.path === '/api/v1/market-data/volatility';
              if (isUpsert && upserted.has(key)) continue;
              await send(port, s, server.idp);
              if (isUpsert) upserted.add(key);
            }
            const answer = await send(port, c.request, server.idp);
            const diff = differences(c, answer);
            if (diff.length > 0) mismatches.set(c.id, diff);
          }
        } finally {
          await server.close();
        }
      }

      const documented = documentedDifferences();
      const used = new Set<DocumentedDifference>();
      const undocumented: string[] = [];
      for (const [id, diff] of mismatches) {
        for (const line of diff) {
          const row = documented.find(
            (r) => r.cases.some((p) => p.test(id)) && r.fields.some((p) => p.test(fieldOf(line))),
          );
          if (row === undefined) undocumented.push(`${id}: ${line.slice(0, 200)}`);
          else used.add(row);
        }
      }
      const stale = documented.filter((row) => !used.has(row));
      if (process.env.PARITY_REPORT !== undefined) {
        const lines = [...mismatches].map(([id, diff]) => `${id}\t${diff.join(' | ').replace(/\n/g, '\\n')}`);
        await import('node:fs').then((fs) => fs.writeFileSync(process.env.PARITY_REPORT!, lines.join('\n') + '\n'));
      }
      assert.equal(cases.length, 1090);
      assert.deepEqual(
        undocumented,
        [],
        'differences from the Python service without a row in docs/api.md "Differences from the Python service"',
      );
      assert.deepEqual(
        stale.map((row) => row.text),
        [],
        'rows of the differences table that no case needs any more',
      );
    },
  );
});
