import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/**
 * `npm start` serves compiled JavaScript (prestart builds it), so production never needs a TypeScript loader:
 * tsx and its esbuild are development tools only, and `npm ci --omit=dev` (the Docker runtime stage) leaves them out.
 */

interface LockEntry {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly optional?: boolean;
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> };

describe('npm scripts and production dependencies', () => {
  it('npm start runs the compiled entry point after building it; npm run dev runs the sources through tsx', () => {
    assert.equal(pkg.scripts.start, 'node dist/main.js');
    assert.equal(pkg.scripts.prestart, 'npm run build');
    assert.match(pkg.scripts.dev ?? '', /--import tsx src\/main\.ts/);
  });

  it('installs neither tsx nor esbuild with the production dependencies', () => {
    const production = Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev !== true && entry.devOptional !== true)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    assert.ok(production.includes('fastify'), 'the lockfile marks dev packages (sanity check)');
    for (const tool of ['tsx', 'esbuild', 'typescript', 'pino-pretty', '@redocly/cli']) {
      assert.ok(!production.includes(tool), `${tool} is a production dependency`);
    }
    assert.ok(!production.some((name) => name.startsWith('@esbuild/')), 'an esbuild binary is a production dependency');
  });
});
