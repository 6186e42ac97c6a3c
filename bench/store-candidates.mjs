/* global console, process, performance */
// Measures the embedded-store candidates of docs/architecture.md ("The store") on this machine: time to open a new
// database (schema created), time to reopen it, and the latency of 200 durable single-point upserts (one
// transaction each, fsync on commit), p50 and p99.
//
//   node bench/store-candidates.mjs [dir-with-node_modules]
//
// node:sqlite is built in; better-sqlite3 and @electric-sql/pglite are not dependencies of OPE: install them
// into a scratch directory (npm install better-sqlite3@12 @electric-sql/pglite) and pass that directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const scratch = process.argv[2];
const requireFrom = scratch === undefined ? null : createRequire(join(scratch, 'package.json'));
const UPSERTS = 200;
const SCHEMA = 'CREATE TABLE IF NOT EXISTS points (strike REAL, maturity REAL, volatility REAL, version INTEGER)';

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function measure(name, open) {
  const dir = mkdtempSync(join(tmpdir(), 'ope-candidate-'));
  try {
    let t = performance.now();
    let db = await open(dir);
    await db.exec(SCHEMA);
    const firstOpenMs = performance.now() - t;
    await db.close();
    t = performance.now();
    db = await open(dir);
    const reopenMs = performance.now() - t;
    const times = [];
    for (let i = 0; i < UPSERTS; i += 1) {
      const s = performance.now();
      await db.upsert(100 + (i % 20), 1, 0.2 + i / 10_000, i + 1);
      times.push(performance.now() - s);
    }
    await db.close();
    times.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        candidate: name,
        firstOpenMs: +firstOpenMs.toFixed(1),
        reopenMs: +reopenMs.toFixed(1),
        upsertP50Ms: +percentile(times, 0.5).toFixed(3),
        upsertP99Ms: +percentile(times, 0.99).toFixed(3),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sqliteUpsert = (run) => (strike, maturity, volatility, version) => {
  run('BEGIN IMMEDIATE');
  run(`DELETE FROM points WHERE abs(strike - ${strike}) <= 1e-9 AND abs(maturity - ${maturity}) <= 1e-9`);
  run(`INSERT INTO points VALUES (${strike}, ${maturity}, ${volatility}, ${version})`);
  run('COMMIT');
};

const { DatabaseSync } = await import('node:sqlite');
await measure('node:sqlite', (dir) => {
  const db = new DatabaseSync(join(dir, 'db.sqlite'));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL');
  return { exec: (sql) => db.exec(sql), upsert: sqliteUpsert((sql) => db.exec(sql)), close: () => db.close() };
});

if (requireFrom !== null) {
  try {
    const Database = requireFrom('better-sqlite3');
    await measure('better-sqlite3', (dir) => {
      const db = new Database(join(dir, 'db.sqlite'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      return { exec: (sql) => db.exec(sql), upsert: sqliteUpsert((sql) => db.exec(sql)), close: () => db.close() };
    });
  } catch (error) {
    console.log(JSON.stringify({ candidate: 'better-sqlite3', error: String(error.message ?? error).split('\n')[0] }));
  }
  try {
    const { PGlite } = await import(pathToFileURL(requireFrom.resolve('@electric-sql/pglite')).href);
    await measure('pglite', async (dir) => {
      const db = await PGlite.create(join(dir, 'pg'));
      return {
        exec: (sql) => db.exec(sql.replace(/REAL/g, 'double precision')),
        upsert: (strike, maturity, volatility, version) =>
          db.transaction(async (tx) => {
            await tx.query('DELETE FROM points WHERE abs(strike - $1) <= 1e-9 AND abs(maturity - $2) <= 1e-9', [
              strike,
              maturity,
            ]);
            await tx.query('INSERT INTO points VALUES ($1, $2, $3, $4)', [strike, maturity, volatility, version]);
          }),
        close: () => db.close(),
      };
    });
  } catch (error) {
    console.log(JSON.stringify({ candidate: 'pglite', error: String(error.message ?? error).split('\n')[0] }));
  }
}
