import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SERVICE_V8_FLAGS } from '../../src/main/v8-tuning.js';

/**
 * A program whose object-literal site keeps its objects alive, the pattern V8 answers by pretenuring. Run in a plain
 * node (no loader, whose own start-up changes when V8 collects); --trace-pretenuring-statistics prints V8's verdicts.
 */
function tenureVerdicts(flags: string | null): number {
  const program = `
    if (${JSON.stringify(flags)} !== null) (await import('node:v8')).setFlagsFromString(${JSON.stringify(flags)});
    const keep = [];
    function make(i) { return { i, pair: [i, i + 1], text: 'x' + i }; }
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 50000; i++) keep.push(make(i));
      if (keep.length > 400000) keep.length = 0;
    }
  `;
  const output = execFileSync(
    process.execPath,
    ['--trace-pretenuring-statistics', '--input-type=module', '--eval', program],
    {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  return output.split('\n').filter((line) => line.includes('=> tenure')).length;
}

describe('V8 tuning of the service process', () => {
  it('turns allocation-site pretenuring off when set at run time, as main.ts does', () => {
    // Whether V8 pretenures at all depends on when its collections fall (Node 24 decided not to in about one run of
    // three on a busy machine), so the control may take a few runs; with the flags no run may pretenure.
    let control = 0;
    for (let attempt = 0; attempt < 8 && control === 0; attempt += 1) control = tenureVerdicts(null);
    assert.ok(control > 0, 'without the flags the program should make V8 pretenure');
    assert.equal(tenureVerdicts(SERVICE_V8_FLAGS), 0);
  });

  it('is the first module main.ts loads, so the flags hold before anything else allocates', () => {
    const main = readFileSync(new URL('../../src/main.ts', import.meta.url), 'utf8');
    const firstImport = /^import .*$/m.exec(main)?.[0];
    assert.equal(firstImport, "import './main/v8-tuning.js';");
  });
});
