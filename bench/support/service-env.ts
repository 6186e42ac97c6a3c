import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The environment a benchmark gives the service it starts (bench/http.bench.ts, bench/ab.bench.ts): a development
 * secret to sign tokens with, the pool as given, no effective rate limit, no result cache (every request is priced),
 * and an empty embedded store of its own.
 */
export interface BenchServiceSettings {
  readonly secret: string;
  readonly threads: number;
  readonly queueMax: number;
  readonly queueTimeoutSeconds: number;
  /** OPE_DATA_DIR: an empty directory, removed with the run. */
  readonly dataDir: string;
}

export function benchServiceEnv(settings: BenchServiceSettings): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DEV_JWT_SECRET: settings.secret,
    OPE_THREADS: String(settings.threads),
    OPE_THREAD_QUEUE_MAX: String(settings.queueMax),
    OPE_THREAD_QUEUE_TIMEOUT_SECONDS: String(settings.queueTimeoutSeconds),
    RATE_LIMIT_DEFAULT: '100000000/second',
    OPE_CACHE_SIZE: '0',
    OPE_DATA_DIR: settings.dataDir,
    LOG_LEVEL: 'info',
  };
}

/**
 * How a benchmark runs the service: `dist` (the default) as production does, `node dist/main.js` after `npm run
 * build` in that checkout, so the figures are those of the compiled JavaScript; `tsx` as `npm run dev` does, the
 * sources through tsx's loader (which wraps named functions and closures in `__name` calls). BENCH_SERVICE chooses.
 */
export type ServiceBuild = 'dist' | 'tsx';

export function serviceBuild(value: string | undefined = process.env.BENCH_SERVICE): ServiceBuild {
  if (value === undefined || value === '' || value === 'dist') return 'dist';
  if (value === 'tsx') return 'tsx';
  throw new Error(`BENCH_SERVICE must be dist or tsx, not ${JSON.stringify(value)}`);
}

/** The node arguments that start the service in `dir`; for `dist`, builds it there first (tsc, some seconds). */
export function prepareService(dir: string, build: ServiceBuild = serviceBuild()): string[] {
  if (build === 'tsx') return ['--import', 'tsx', 'src/main.ts'];
  execFileSync(join(dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  return ['dist/main.js'];
}
