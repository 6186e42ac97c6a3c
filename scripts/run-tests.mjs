// Runs the test files with node:test (+ tsx), one file per process and as many files at once as there are cores
// (then the few timing-sensitive files one at a time).
// Tiers: `node scripts/run-tests.mjs --tier=unit` runs the fast tier (core, pool with scripted workers, HTTP
// through inject(): no child processes, no system services, no browsers); without --tier every file runs.
// Extra arguments pick files by path substring from every tier: `npm run test:unit -- core/ deploy/`.
// Node 20's `node --test` has no glob support and finds no .ts files on its own, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/**
 * The unit tier: these folders, less the files below that start processes, servers or system services, or that are
 * end-to-end by nature (python-parity replays recorded exchanges over raw sockets against real listeners;
 * real-worker drives the pool's real worker module on real threads rather than a scripted worker).
 */
const UNIT_FOLDERS = [
  'test/core/',
  'test/types/',
  'test/config/',
  'test/pool/',
  'test/http/',
  'test/auth/',
  'test/observability/',
];
const NOT_UNIT = [
  'test/pool/graceful-shutdown.test.ts',
  'test/pool/http-overload.test.ts',
  'test/http/main.test.ts',
  'test/http/security-host.test.ts',
  'test/http/security-rate-limit-redis.test.ts',
  'test/http/fuzz.test.ts',
  'test/http/quote/quote-fuzz.test.ts',
  'test/http/surface-fuzz.test.ts',
  'test/auth/oidc-provider.test.ts',
  'test/auth/dev-tokens.test.ts',
  'test/observability/metrics-contract.test.ts',
  'test/core/wasm/kernels-module.test.ts',
  'test/http/quote/capsule-durability.test.ts',
  'test/config/environment.test.ts',
  'test/auth/jwks-hardening.test.ts',
  'test/observability/tracing.test.ts',
  'test/http/python-parity.test.ts',
  'test/pool/real-worker.test.ts',
];

/**
 * Files whose assertions depend on wall-clock deadlines (1 s task timeouts, thread replacement, JWKS refresh timing)
 * or on the garbage collector's verdicts: they run one at a time after the others, so that a concurrently running
 * file cannot starve them of CPU on a small machine.
 */
const SERIAL = [
  'test/pool/pricing-pool.test.ts',
  'test/pool/graceful-shutdown.test.ts',
  'test/pool/http-overload.test.ts',
  'test/auth/jwks-lifecycle.test.ts',
  'test/main/v8-tuning.test.ts',
];

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const tier = args.find((a) => a.startsWith('--tier='))?.slice('--tier='.length) ?? 'all';
if (tier !== 'unit' && tier !== 'all') {
  console.error(`run-tests: unknown tier ${tier} (unit or all)`);
  process.exit(1);
}
const filters = args.filter((a) => !a.startsWith('--tier='));
const inTier = (f) => tier === 'all' || (UNIT_FOLDERS.some((d) => f.startsWith(d)) && !NOT_UNIT.includes(f));
const files = collect('test')
  .map((f) => f.split('\\').join('/'))
  .filter((f) => (filters.length === 0 ? inTier(f) : filters.some((s) => f.includes(s))));
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
// OPE_TEST_REPORTER picks node:test's reporter: a built-in name (spec, dot, tap) or a module path.
const reporter = process.env.OPE_TEST_REPORTER ?? 'spec';
const concurrency = Math.max(1, Number(process.env.OPE_TEST_CONCURRENCY ?? availableParallelism()));

// --enable-source-maps: a failure's "test at file:line" names the test's own TypeScript line, not tsx's output.
function runFiles(list, filesAtOnce, env = process.env) {
  if (list.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    [
      '--enable-source-maps',
      '--import',
      'tsx',
      '--import',
      './test/setup.mjs',
      '--test',
      `--test-concurrency=${filesAtOnce}`,
      `--test-reporter=${reporter}`,
      ...list,
    ],
    { stdio: 'inherit', env },
  );
  return result.status ?? 1;
}

// The unit tier's files reach the HTTP tests' servers through inject() (test/http/support.ts); the full run, and
// files from other tiers picked by a path argument, go over sockets.
const injectEnv = { ...process.env, OPE_TEST_HTTP: 'inject' };
const unitInject = (f) => tier === 'unit' && inTier(f);
const concurrentFiles = files.filter((f) => !SERIAL.includes(f));
const serialFiles = files.filter((f) => SERIAL.includes(f));
const statuses = [
  runFiles(concurrentFiles.filter(unitInject), concurrency, injectEnv),
  runFiles(
    concurrentFiles.filter((f) => !unitInject(f)),
    concurrency,
  ),
  runFiles(serialFiles.filter(unitInject), 1, injectEnv),
  runFiles(
    serialFiles.filter((f) => !unitInject(f)),
    1,
  ),
];
process.exit(statuses.find((status) => status !== 0) ?? 0);
