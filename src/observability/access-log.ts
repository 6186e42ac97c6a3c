import { pino } from 'pino';
import type { Logger } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { LINE_FORMAT } from './logger.js';

/**
 * The per-request `request.complete` line and the per-request child logger, both off the process logger's most
 * expensive paths. Measured on the single black_scholes route (BENCHMARKS.md, "HTTP"), one line per request through
 * a per-request child of the redacting logger cost about as much CPU as Fastify's own routing, validation and
 * serialization together:
 *  - the access line carries only fields this module names (no headers, no body, the path without its query),
 *    so nothing in it can need redaction: it goes through a second pino instance with the same destination, base
 *    fields, level and line format, but no redaction pass;
 *  - a request's child logger (request.log, bound to its request_id) is built on first use, since most requests
 *    never log anything but their access line.
 */

export interface AccessLogFields {
  readonly event: 'request.complete';
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly status_code: number;
  readonly latency_ms: number;
  readonly user: string | undefined;
}

export type AccessLog = (requestId: string, fields: AccessLogFields) => void;

const ACCESS_MESSAGE = 'request complete';

function isPino(logger: FastifyBaseLogger): logger is Logger {
  return typeof (logger as Partial<Logger>).bindings === 'function' && pino.symbols.streamSym in logger;
}

/** Writes access lines beside `logger`'s own, at its level; any other logger gets them through its info(). */
export function createAccessLog(logger: FastifyBaseLogger): AccessLog {
  if (!isPino(logger)) return (requestId, fields) => logger.info({ request_id: requestId, ...fields }, ACCESS_MESSAGE);
  const stream = (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym]!;
  const plain = pino({ ...LINE_FORMAT, level: 'info', base: logger.bindings() }, stream);
  return (requestId, fields) => {
    // The process logger's level rules (LOG_LEVEL=warn silences access lines), read per line so a change applies.
    if (logger.isLevelEnabled('info')) plain.info({ request_id: requestId, ...fields }, ACCESS_MESSAGE);
  };
}

type LogMethod = FastifyBaseLogger['info'];

/** Fastify's childLoggerFactory: request.log made on first use. */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: pino.Bindings, options: pino.ChildLoggerOptions): FastifyBaseLogger {
  if (!isPino(logger)) return logger.child(bindings, options);
  let child: FastifyBaseLogger | undefined;
  const real = (): FastifyBaseLogger => (child ??= logger.child(bindings, options));
  const forward =
    (level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'): LogMethod =>
    (...args: Parameters<LogMethod>) => {
      // A call below the level costs nothing and builds nothing.
      if (child === undefined && level !== 'silent' && !logger.isLevelEnabled(level)) return;
      (real()[level] as (...a: unknown[]) => void)(...args);
    };
  return {
    get level() {
      return real().level;
    },
    set level(value: string) {
      real().level = value;
    },
    fatal: forward('fatal'),
    error: forward('error'),
    warn: forward('warn'),
    info: forward('info'),
    debug: forward('debug'),
    trace: forward('trace'),
    silent: forward('silent'),
    child: (more, moreOptions) => real().child(more, moreOptions),
    isLevelEnabled: (level: string) => (real() as Logger).isLevelEnabled(level),
  } as FastifyBaseLogger;
}
