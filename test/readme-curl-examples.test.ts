import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The README's curl examples, run as printed against `src/main.ts` started with embedded defaults (what `npm start`
 * runs). The only change made to a command is the port: the service listens on a free port rather than 8000, so
 * the test cannot collide with a developer's running instance.
 */

let child: ChildProcess;
let baseUrl = '';
let token = '';

function readmeCurlCommands(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## The HTTP API'), readme.indexOf('## Playground'));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const commands: string[] = [];
  for (const block of blocks) {
    const joined = block.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) if (line.startsWith('curl ')) commands.push(line.trim());
  }
  return commands;
}

before(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', OPE_THREADS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const tok = /^export OPE_TOKEN=(\S+)$/m.exec(err)?.[1];
    const port = /"event":"service.start"[^\n]*"port":(\d+)/.exec(out)?.[1];
    if (tok !== undefined && port !== undefined) {
      token = tok;
      baseUrl = `http://127.0.0.1:${port}`;
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`service did not start: ${err}`);
});

after(() => {
  child.kill('SIGTERM');
});

it('runs every curl example of the README against the started service with the printed token', () => {
  const commands = readmeCurlCommands();
  assert.ok(commands.length >= 9, `found ${commands.length} curl commands`);
  const outputs: string[] = [];
  for (const command of commands) {
    assert.match(command, /http:\/\/localhost:8000\//, command);
    const local = command.replaceAll('http://localhost:8000', baseUrl);
    const out = execFileSync('bash', ['-c', local], { encoding: 'utf8', env: { ...process.env, OPE_TOKEN: token } });
    assert.ok(out.trim() !== '', `no output from: ${command}`);
    outputs.push(out);
    if (command.includes('/metrics')) {
      assert.match(out, /^ope_request_total\{/m, command);
      continue;
    }
    const body = JSON.parse(out) as Record<string, unknown>;
    if (command.includes('"strike_price":"100,5"')) {
      // The documented validation error: it names the field by its JSON path.
      assert.deepEqual((body.detail as { loc: unknown[] }[])[0]!.loc, ['body', 'contracts', 0, 'strike_price'], out);
    } else {
      assert.equal(body.detail, undefined, `error answer from: ${command}\n${out}`);
    }
  }
});
