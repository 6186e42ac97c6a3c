// Node 20's `node --test` has no glob support and finds no .ts files on its own, so the test files are
// listed here and handed to it explicitly. Extra arguments filter by path substring: `npm run test:unit -- core/`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect('test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
// --enable-source-maps: a failure's "test at file:line" names the test's own TypeScript line, not tsx's output.
const result = spawnSync(process.execPath, ['--enable-source-maps', '--import', 'tsx', '--import', './test/setup.mjs', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
