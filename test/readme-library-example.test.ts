import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// The README's library example must run as printed: it is the first code a library user copies.
it('runs the README library example against the real core and prints finite numbers', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Library'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(match, 'README has a ```ts block under "## Library"');
  const barrel = pathToFileURL(resolve('src/core/index.ts')).href;
  const code = match[1]!.replace(/from 'ope'/g, `from '${barrel}'`);
  assert.notEqual(code, match[1], "the example imports from 'ope'");
  const dir = mkdtempSync(join(tmpdir(), 'ope-readme-'));
  try {
    const file = join(dir, 'example.ts');
    writeFileSync(file, code);
    const out = execFileSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' });
    const numbers = out.split(/[\s,[\]]+/).filter((t) => t !== '').map(Number);
    assert.ok(numbers.length >= 6, `printed: ${out}`);
    assert.ok(numbers.every((n) => Number.isFinite(n)), `printed: ${out}`);
    // Hull-style check of the last line: the implied volatility of 10.45 at S = K = 100, r = 5%, T = 1 is about 20%.
    const lines = out.trim().split('\n');
    const iv = Number(lines[lines.length - 1]!.split(' ')[0]);
    assert.ok(Math.abs(iv - 0.2) < 0.001, `implied volatility ${iv}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
