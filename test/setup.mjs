// Loaded before every test file (scripts/run-tests.mjs). Property tests run on a fixed fast-check seed so CI is
// reproducible; set FC_SEED=<integer> to explore other draws, or FC_SEED=random for a fresh one each run.
// Plain JS on purpose: worker threads the tests start inherit this --import, before any TypeScript loader runs.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const { default: fc } = await import('fast-check');
  const requested = process.env.FC_SEED;
  if (requested !== 'random') {
    const seed = requested === undefined ? 20261128 : Number(requested);
    if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", got ${requested}`);
    fc.configureGlobal({ seed });
  }
}
