import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ConfigError, configWarnings, loadConfig } from '../../src/config/config.js';

/**
 * OPE_ENVIRONMENT is one of three names (the Python service's prod/dev accepted), because a typo must not start a
 * production deployment in development mode with a printed all-scopes token; LOG_LEVEL is one of pino's levels;
 * more threads than CPUs is allowed but warned about once.
 */

const PRODUCTION = {
  OIDC_ISSUER: 'https://idp.example.com/',
  OIDC_AUDIENCE: 'ope',
  OIDC_JWKS_URL: 'https://idp.example.com/jwks',
  OPE_ALLOWED_HOSTS: 'api.example.com',
};

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

describe('OPE_ENVIRONMENT', () => {
  it('accepts development, staging and production in any case, and normalises prod and dev', () => {
    assert.equal(loadConfig({ OPE_ENVIRONMENT: 'Staging' }).environment, 'staging');
    assert.equal(loadConfig({ OPE_ENVIRONMENT: 'dev' }).environment, 'development');
    const prod = loadConfig({ OPE_ENVIRONMENT: 'prod', ...PRODUCTION });
    assert.equal(prod.environment, 'production');
    assert.equal(prod.isProduction, true);
    assert.equal(prod.http.playground, false);
  });

  it('refuses anything else, naming the variable, so a typo cannot start in development', () => {
    for (const typo of ['prdo', 'test', 'live', 'production-eu']) {
      const error = refusal({ OPE_ENVIRONMENT: typo, ...PRODUCTION });
      assert.equal(error.variable, 'OPE_ENVIRONMENT');
      assert.match(error.message, /must be development, staging or production/);
    }
    // Surrounding blanks are trimmed, as for every variable.
    assert.equal(loadConfig({ OPE_ENVIRONMENT: ' production ', ...PRODUCTION }).environment, 'production');
  });
});

describe('LOG_LEVEL', () => {
  it("accepts pino's level names in any case and refuses others naming the variable", () => {
    assert.equal(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel, 'debug');
    assert.equal(refusal({ LOG_LEVEL: 'verbose' }).variable, 'LOG_LEVEL');
  });
});

describe('OPE_THREADS above the CPU count', () => {
  it('is a warning naming the variable, not a refusal', () => {
    assert.deepEqual(configWarnings(loadConfig({ OPE_THREADS: '2' }), 2), []);
    const warnings = configWarnings(loadConfig({ OPE_THREADS: '3' }), 2);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^OPE_THREADS=3 is above the 2 CPUs/);
  });
});

describe('the service process', () => {
  function run(env: Record<string, string>): {
    exit: Promise<{ code: number | null; stderr: string }>;
    lines: AsyncIterable<string>;
    kill(): void;
  } {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        OPE_THREADS: '1',
        DEV_JWT_SECRET: 'environment-test-secret-of-32-bytes',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    return {
      exit: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr }))),
      lines: createInterface({ input: child.stdout }),
      kill: () => child.kill('SIGTERM'),
    };
  }

  it('refuses to start with exactly one line, no stack trace, for a bad OPE_ENVIRONMENT and a bad LOG_LEVEL', async () => {
    const [environment, level] = await Promise.all([
      run({ OPE_ENVIRONMENT: 'prdo' }).exit,
      run({ LOG_LEVEL: 'verbose' }).exit,
    ]);
    assert.equal(environment.code, 1);
    assert.equal(
      environment.stderr,
      'ope: cannot start: OPE_ENVIRONMENT: must be development, staging or production (or dev, prod), got "prdo"\n',
    );
    assert.equal(level.code, 1);
    assert.equal(
      level.stderr,
      'ope: cannot start: LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"\n',
    );
  });

  it('logs the OPE_THREADS warning once, then starts', async () => {
    const cpus = (await import('node:os')).availableParallelism();
    const service = run({ OPE_THREADS: String(cpus + 1) });
    const warnings: string[] = [];
    for await (const line of service.lines) {
      const entry = JSON.parse(line) as { event?: string; msg?: string };
      if (entry.event === 'config.warning') warnings.push(entry.msg ?? '');
      if (entry.event === 'service.start') break;
    }
    service.kill();
    assert.equal((await service.exit).code, 0);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, new RegExp(`^OPE_THREADS=${cpus + 1} is above the ${cpus} CPUs`));
  });
});
