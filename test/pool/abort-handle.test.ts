import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AbortHandle } from '../../src/pool/abort-handle.js';

describe('AbortHandle', () => {
  it('calls its one listener once, with the first reason kept', () => {
    const handle = new AbortHandle();
    const calls: unknown[] = [];
    handle.addEventListener('abort', () => calls.push(handle.reason));
    assert.equal(handle.aborted, false);
    handle.abort('first');
    handle.abort('second');
    assert.equal(handle.aborted, true);
    assert.equal(handle.reason, 'first');
    assert.deepEqual(calls, ['first']);
  });

  it('forgets a removed listener, and a later listener replaces an earlier one', () => {
    const handle = new AbortHandle();
    const calls: string[] = [];
    const a = (): void => void calls.push('a');
    const b = (): void => void calls.push('b');
    handle.addEventListener('abort', a);
    handle.removeEventListener('abort', a);
    handle.addEventListener('abort', b);
    handle.removeEventListener('abort', a);
    handle.abort(new Error('gone'));
    assert.deepEqual(calls, ['b']);
  });

  it('does not call a listener added after it fired', () => {
    const handle = new AbortHandle();
    handle.abort('done');
    let called = false;
    handle.addEventListener('abort', () => (called = true));
    handle.abort('again');
    assert.equal(called, false);
  });
});
