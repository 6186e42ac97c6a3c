import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

/**
 * The process's structured logger: one JSON object per line on stdout. Redaction is configured once, here, so
 * no code path can log a bearer token, a cookie or a secret even by accident (docs/RUNBOOK.md).
 */

/** Paths pino censors wherever a log call puts them. Wildcards cover one level of nesting under any key. */
export const REDACTED_PATHS: readonly string[] = [
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'request.headers.cookie',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'secret',
  '*.secret',
  'password',
  '*.password',
];

export interface LoggerOptions {
  /** pino level name; default "info". */
  readonly level?: string;
  /** Default stdout; tests pass a stream to read the lines back. */
  readonly destination?: DestinationStream;
  /** Fixed fields on every line, e.g. {service: "ope", environment}. */
  readonly base?: Record<string, unknown>;
}

/** How every line looks: ISO time, the level by name ("level":"info", readable in a terminal and in log search). */
let lastMillis = Number.NaN;
let lastTime = '';

/**
 * pino's isoTime (`,"time":"<ISO 8601>"`), formatted once per millisecond: a busy service writes several lines in
 * the same millisecond, and Date#toISOString was a visible share of each access line's cost.
 */
export function isoTime(): string {
  const now = Date.now();
  if (now !== lastMillis) {
    lastMillis = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

export const LINE_FORMAT = {
  timestamp: isoTime,
  formatters: { level: (label: string) => ({ level: label }) },
} as const;

/**
 * stdout, written asynchronously: with synchronous writes, a log reader that lags (a full pipe to the container
 * runtime) stalls the event loop and with it every request. Lines written while one write is in flight go out
 * together in the next. pino flushes what is pending
 * synchronously when the process exits, process.exit() included.
 */
function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      ...LINE_FORMAT,
      level: options.level ?? 'info',
      base: { service: 'ope', ...options.base },
      redact: { paths: [...REDACTED_PATHS], censor: '[Redacted]' },
    },
    options.destination ?? stdoutDestination(),
  );
}
