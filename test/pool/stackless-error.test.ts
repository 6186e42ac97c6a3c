import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, fromPoolError } from '../../src/http/errors.js';
import { PoolError } from '../../src/pool/pool-error.js';
import { withoutStackTrace } from '../../src/pool/stackless-error.js';

describe('withoutStackTrace', () => {
  it('builds the error with no stack frames and restores the stack limit, also when building throws', () => {
    const before = Error.stackTraceLimit;
    const error = withoutStackTrace(() => new Error('refused'));
    assert.equal(error.stack, 'Error: refused');
    assert.equal(Error.stackTraceLimit, before);
    assert.throws(
      () =>
        withoutStackTrace(() => {
          throw new TypeError('no');
        }),
      TypeError,
    );
    assert.equal(Error.stackTraceLimit, before);
    assert.match(new Error('defect').stack ?? '', /\n\s+at /);
  });

  it('is how pool refusals become 503s, while a failed worker keeps its stack', () => {
    const refusal = fromPoolError(new PoolError('ERR_POOL_SATURATED', 'the pricing queue is full', 2));
    assert.ok(refusal instanceof AppError);
    assert.equal(refusal.statusCode, 503);
    assert.deepEqual(refusal.headers, { 'Retry-After': '2' });
    assert.doesNotMatch(refusal.stack ?? '', /\n\s+at /);
    const defect = fromPoolError(new PoolError('ERR_POOL_WORKER_FAILED', 'the thread died', 1));
    assert.ok(defect instanceof AppError);
    assert.equal(defect.statusCode, 500);
    assert.match(defect.stack ?? '', /\n\s+at /);
  });
});
