/**
 * V8 settings of the service process, imported first by main.ts so they hold before anything else is loaded, for
 * the main thread and the pricing threads alike (V8 flags are per process).
 *
 * --no-allocation-site-pretenuring: V8 learns, per allocation site, whether its objects tend to survive a young
 * collection and then allocates them straight in the old generation. Under load the per-task objects of the pool
 * (piscina's task records, abort signals, worker views) get that verdict, although each lives about as long as
 * one request: the old generation then fills with short-lived garbage that only the expensive major collections
 * reclaim (measurements: docs/pool.md, "Garbage collection").
 */
import { setFlagsFromString } from 'node:v8';

export const SERVICE_V8_FLAGS = '--no-allocation-site-pretenuring';

setFlagsFromString(SERVICE_V8_FLAGS);
