import { pino } from 'pino';
import type { Logger } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { LINE_FORMAT } from './logger.js';

/**
 * The per-request `request.complete` line and the per-request child logger, both off the process logger's most
 * expensive paths. Measured on the single black_scholes route (bench/results/2026-11-29-measurement-notes.md, "HTTP"), one line per request through
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
  /** The request's trace id (observability/trace-context.ts), when it has one. */
  readonly trace_id?: string | undefined;
}

/** `level` debug: lines operators do not want at info (probes and scrapes that succeeded). */
export type AccessLog = (requestId: string, fields: AccessLogFields, level?: 'info' | 'debug') => void;

const ACCESS_MESSAGE = 'request complete';

function isPino(logger: FastifyBaseLogger): logger is Logger {
  return typeof (logger as Partial<Logger>).bindings === 'function' && pino.symbols.streamSym in logger;
}

/** Writes access lines beside `logger`'s own, at its level; any other logger gets them through its info(). */
export function createAccessLog(logger: FastifyBaseLogger): AccessLog {
  if (!isPino(logger))
    return (requestId, fields, level = 'info') => logger[level]({ request_id: requestId, ...fields }, ACCESS_MESSAGE);
  const stream = (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym]!;
  const plain = pino({ ...LINE_FORMAT, level: 'debug', base: logger.bindings() }, stream);
  return (requestId, fields, level = 'info') => {
    // The process logger's level rules (LOG_LEVEL=warn silences access lines), read per line so a change applies.
    if (logger.isLevelEnabled(level)) plain[level]({ request_id: requestId, ...fields }, ACCESS_MESSAGE);
  };
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * request.log until something logs through it: then, and only then, the pino child bound to the request id. A
 * class, so a request that never logs costs one small object and no closures.
 */
class LazyChildLogger {
  #child: Logger | undefined;

  constructor(
    readonly parent: Logger,
    readonly bindings: pino.Bindings,
    readonly options: pino.ChildLoggerOptions,
  ) {}

  /** Adds bindings: to the child when it exists, else to what it will be built with. */
  bind(extra: pino.Bindings): void {
    if (this.#child === undefined) Object.assign(this.bindings, extra);
    else this.#child = this.#child.child(extra);
  }

  #real(): Logger {
    return (this.#child ??= this.parent.child(this.bindings, this.options));
  }

  #log(level: Level, args: unknown[]): void {
    // A call below the level costs nothing and builds nothing.
    if (this.#child === undefined && !this.parent.isLevelEnabled(level)) return;
    (this.#real()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.#real().level;
  }
  set level(value: string) {
    this.#real().level = value;
  }
  fatal(...args: unknown[]): void {
    this.#log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#log('error', args);
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args);
  }
  info(...args: unknown[]): void {
    this.#log('info', args);
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#log('trace', args);
  }
  silent(): void {}
  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return this.#real().child(bindings, options);
  }
  isLevelEnabled(level: string): boolean {
    return this.#real().isLevelEnabled(level);
  }
}

/** Fastify's childLoggerFactory: request.log made on first use. */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: pino.Bindings,
  options: pino.ChildLoggerOptions,
): FastifyBaseLogger {
  if (!isPino(logger)) return logger.child(bindings, options);
  return new LazyChildLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}

/** request.log with `extra` bound: the lazy logger keeps being lazy; any other logger gets a child. */
export function bindRequestLogger(log: FastifyBaseLogger, extra: pino.Bindings): FastifyBaseLogger {
  if (log instanceof LazyChildLogger) {
    log.bind(extra);
    return log;
  }
  return log.child(extra);
}
