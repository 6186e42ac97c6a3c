import type { FastifyBaseLogger } from 'fastify';
import type { Counter } from 'prom-client';
import type { DocumentStore } from '../../store/document-store.js';

/**
 * Removes expired capsules and idempotency records in small batches (deleteExpired with a limit), one batch per
 * turn of the event loop, so a large backlog never holds requests up. Expired records are already invisible to
 * reads; sweeping only reclaims space.
 */

export interface SweeperOptions {
  readonly store: DocumentStore;
  readonly intervalMs: number;
  readonly batchSize: number;
  /** Most batches per sweep: a sweep ends even if the backlog does not. */
  readonly maxBatches: number;
  readonly logger: FastifyBaseLogger;
  readonly swept: Counter;
  readonly now?: () => Date;
}

export interface Sweeper {
  /** One sweep now; resolves with how many records went. */
  sweep(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createSweeper(options: SweeperOptions): Sweeper {
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;

  async function sweepOnce(): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < options.maxBatches; batch++) {
      const removed = await options.store.deleteExpired(now(), options.batchSize);
      total += removed;
      if (removed < options.batchSize) break;
      // Let waiting requests run between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (total > 0) options.swept.inc(total);
    return total;
  }

  function sweep(): Promise<number> {
    running ??= sweepOnce().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    sweep,
    start() {
      if (timer !== undefined) return;
      timer = setInterval(() => {
        sweep().catch((error: unknown) =>
          options.logger.warn({ event: 'quote.sweep_failed', err: error }, 'sweeping expired quote records failed'),
        );
      }, options.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
