import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { isoTime } from '../../src/observability/logger.js';

describe('isoTime (the log lines\' "time")', () => {
  it('writes what pino.stdTimeFunctions.isoTime writes, and follows the clock from one millisecond to the next', () => {
    const times = [
      0, 1, 1, 1_700_000_000_123, 1_700_000_000_123, 1_700_000_000_124, 1_699_999_999_999, 253402300799999,
    ];
    const now = mock.method(Date, 'now', () => 0);
    try {
      for (const t of times) {
        now.mock.mockImplementation(() => t);
        assert.equal(isoTime(), pino.stdTimeFunctions.isoTime(), `at ${t}`);
      }
    } finally {
      now.mock.restore();
    }
  });
});
