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
