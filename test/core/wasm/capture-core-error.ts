import assert from 'node:assert/strict';
import { CoreError } from '../../../src/core/errors.js';

/** The CoreError `run` throws (the WebAssembly paths must refuse exactly as the TypeScript engines do). */
export function captureError(run: () => void): CoreError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CoreError, `expected a CoreError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}
