import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * There is no container engine on the development machines or in CI, so the Dockerfile is checked for what would
 * break the image or its operation: the files it copies exist and are not excluded by .dockerignore, the command
 * runs the file the production build emits, the runtime stage carries no dev dependencies and no root user, and the
 * health check asks /healthz. (The runtime stage was also reproduced by hand, outside a container: `npm ci
 * --omit=dev`, dist/ and public/, `node dist/main.js` as an unprivileged user.)
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const space = line.indexOf(' ');
      return { keyword: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() };
    });
}

function stages(all: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

const dockerfile = instructions(readFileSync(`${ROOT}/Dockerfile`, 'utf8'));
const ignored = readFileSync(`${ROOT}/.dockerignore`, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

describe('Dockerfile and .dockerignore', () => {
  const [build, runtime] = stages(dockerfile);

  it('has a build stage and a runtime stage', () => {
    assert.equal(stages(dockerfile).length, 2);
    assert.match(build![0]!.args, / AS build$/);
    assert.match(runtime![0]!.args, / AS runtime$/);
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    for (const copy of dockerfile.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        assert.ok(existsSync(`${ROOT}/${source}`), `COPY ${source}: missing`);
        assert.ok(
          !ignored.includes(source) && !ignored.includes(source.split('/')[0]!),
          `COPY ${source}: excluded by .dockerignore`,
        );
      }
    }
    for (const heavy of ['node_modules', 'dist', '.git', 'test'])
      assert.ok(ignored.includes(heavy), `${heavy} should not enter the context`);
  });

  it('builds with the build script and runs the entry point that tsconfig.build.json emits from src/main.ts', () => {
    assert.ok(build!.some((i) => i.keyword === 'RUN' && i.args === 'npm run build'));
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.build, 'tsc -p tsconfig.build.json');
    const tsconfig = JSON.parse(readFileSync(`${ROOT}/tsconfig.build.json`, 'utf8')) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    assert.deepEqual([tsconfig.compilerOptions.rootDir, tsconfig.compilerOptions.outDir], ['src', 'dist']);
    assert.ok(existsSync(`${ROOT}/src/main.ts`));
    assert.deepEqual(JSON.parse(runtime!.find((i) => i.keyword === 'CMD')!.args), ['node', 'dist/main.js']);
  });

  it('runs on Node 24 slim, the Node the npm scripts run on (the node devDependency)', () => {
    const arg = dockerfile.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    assert.match(arg?.args ?? '', /^NODE_IMAGE=node:24-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { devDependencies: Record<string, string> };
    assert.match(pkg.devDependencies.node ?? '', /^\^24\./);
    for (const stage of [build!, runtime!]) assert.equal(stage[0]!.args.split(' ')[0], '${NODE_IMAGE}');
  });

  it('installs the library workspace with the service, its compiled dist/ included', () => {
    for (const stage of [build!, runtime!]) {
      const copies = stage.filter((i) => i.keyword === 'COPY').map((i) => i.args);
      const install = stage.findIndex((i) => i.keyword === 'RUN' && i.args.startsWith('npm ci'));
      const manifest = stage.findIndex((i) => i.keyword === 'COPY' && i.args.includes('packages/core/package.json'));
      assert.ok(
        manifest >= 0 && manifest < install,
        `packages/core/package.json is copied before npm ci: ${copies.join(' | ')}`,
      );
    }
    assert.ok(
      runtime!.some(
        (i) => i.keyword === 'COPY' && i.args === '--from=build /app/packages/core/dist ./packages/core/dist',
      ),
    );
  });

  it('installs production dependencies only, and runs as a non-root user', () => {
    assert.ok(runtime!.some((i) => i.keyword === 'RUN' && /npm ci --omit=dev/.test(i.args)));
    const user = runtime!.filter((i) => i.keyword === 'USER').at(-1);
    assert.ok(user && !['root', '0'].includes(user.args), 'the runtime stage must end as a non-root user');
    // USER comes after every RUN, so nothing at run time can have been installed as that user by mistake.
    const lastRun = runtime!.map((i) => i.keyword).lastIndexOf('RUN');
    assert.ok(runtime!.indexOf(user) > lastRun);
  });

  it('checks health on /healthz and stops with SIGTERM, the signal that starts the graceful drain', () => {
    const healthcheck = runtime!.find((i) => i.keyword === 'HEALTHCHECK');
    assert.ok(healthcheck);
    assert.match(healthcheck.args, /\/healthz'/);
    assert.equal(runtime!.find((i) => i.keyword === 'STOPSIGNAL')?.args, 'SIGTERM');
  });
});
