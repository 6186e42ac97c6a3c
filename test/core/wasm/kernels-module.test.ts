import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

describe('kernels-module.ts', () => {
  it('is what the AssemblyScript sources in assembly/ compile to (rebuild with node assembly/build.mjs)', () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const result = spawnSync(process.execPath, ['assembly/build.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });
});
