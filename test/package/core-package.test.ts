import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The library as a user gets it: `npm pack` of packages/core (its prepack compiles src/core into dist/), the
 * tarball installed offline into an empty project, then imported from plain JavaScript and from TypeScript. The
 * README's library example is type-checked against the installed declarations and run as printed.
 */

const root = resolve('.');
// Inside `npm test` npm_execpath is npm's own CLI script: run it on this Node, whatever `npm` is on the PATH.
function npm(args: readonly string[], cwd: string): string {
  const cli = process.env.npm_execpath;
  const [command, argv] =
    cli !== undefined && cli.endsWith('.js') ? [process.execPath, [cli, ...args]] : ['npm', [...args]];
  return execFileSync(command, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function readmeLibraryExample(): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Library'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(match, 'README has a ```ts block under "## Library"');
  assert.match(match[1]!, /from '@ope\/core'/, 'the README example imports @ope/core');
  return match[1]!;
}

describe('the @ope/core package, packed and installed into a scratch project', () => {
  let workspace: string;
  let scratch: string;
  let manifest: { filename: string; files: { path: string }[] }[];

  before(() => {
    workspace = mkdtempSync(join(tmpdir(), 'ope-core-package-'));
    const packed = npm(['pack', '--workspace', '@ope/core', '--pack-destination', workspace, '--json'], root);
    manifest = JSON.parse(packed.slice(packed.indexOf('['))) as typeof manifest;
    const tarball = join(workspace, manifest[0]!.filename);
    scratch = join(workspace, 'project');
    mkdirSync(scratch);
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    npm(['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], scratch);
  });
  after(() => {
    rmSync(workspace, { recursive: true, force: true });
  });

  it('holds compiled JavaScript and declarations only, and has no runtime dependencies', () => {
    const paths = manifest[0]!.files.map((f) => f.path);
    assert.ok(paths.includes('dist/index.js') && paths.includes('dist/index.d.ts'), paths.join(' '));
    assert.ok(paths.includes('dist/wasm/kernels-module.js'), 'the WebAssembly kernels are inside');
    const sources = paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'));
    assert.deepEqual(sources, []);
    const installed = JSON.parse(readFileSync(join(scratch, 'node_modules/@ope/core/package.json'), 'utf8')) as {
      dependencies?: object;
    };
    assert.equal(installed.dependencies, undefined);
    const lock = JSON.parse(readFileSync(join(scratch, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    assert.deepEqual(
      Object.keys(lock.packages).filter((k) => k !== ''),
      ['node_modules/@ope/core'],
    );
  });

  it('imports from plain JavaScript and prices on the WebAssembly kernels as on the TypeScript engines', () => {
    // Hull, Options, Futures and Other Derivatives, Example 15.6: S = 42, K = 40, r = 10%, sigma = 20%, T = 0.5: call 4.76.
    writeFileSync(
      join(scratch, 'plain.mjs'),
      [
        "import { priceOption, isCoreError } from '@ope/core';",
        'const market = { spot: 42, rate: 0.1, dividendYield: 0, volatility: 0.2 };',
        "const call = { type: 'call', strike: 40, expiry: 0.5, exercise: 'european' };",
        "const bs = priceOption('black_scholes', call, market).value;",
        "const wasm = priceOption('binomial_200', call, market).value;",
        "const ts = priceOption('binomial_200', call, market, { kernels: 'typescript' }).value;",
        'let code = null;',
        "try { priceOption('black_scholes', { ...call, strike: -1 }, market); } catch (e) { code = isCoreError(e) ? e.code : String(e); }",
        'console.log(JSON.stringify({ bs, wasm, ts, code }));',
      ].join('\n'),
    );
    const out = JSON.parse(execFileSync(process.execPath, ['plain.mjs'], { cwd: scratch, encoding: 'utf8' })) as Record<
      string,
      unknown
    >;
    assert.ok(Math.abs((out.bs as number) - 4.76) < 0.005, `black_scholes ${String(out.bs)}`);
    assert.equal(out.wasm, out.ts, "the embedded kernels give the TypeScript engines' doubles");
    assert.equal(out.code, 'ERR_CORE_INVALID_INPUT');
  });

  it('type-checks the README library example against the installed declarations and runs it as printed', () => {
    writeFileSync(join(scratch, 'example.ts'), readmeLibraryExample());
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          types: [],
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['example.ts'],
      }),
    );
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: scratch,
      encoding: 'utf8',
    });
    // Node 24 runs TypeScript by erasing the types: no loader, no build step, as a user would try it.
    const out = execFileSync(process.execPath, ['example.ts'], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const numbers = out
      .split(/[\s,[\]]+/)
      .filter((t) => t !== '')
      .map(Number);
    assert.ok(numbers.length >= 6 && numbers.every((n) => Number.isFinite(n)), `printed: ${out}`);
    // Hull-style check of the last line: the implied volatility of 10.45 at S = K = 100, r = 5%, T = 1 is about 20%.
    const lines = out.trim().split('\n');
    const iv = Number(lines[lines.length - 1]!.split(' ')[0]);
    assert.ok(Math.abs(iv - 0.2) < 0.001, `implied volatility ${iv}`);
  });
});
