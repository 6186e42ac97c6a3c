import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  return { stream, text: () => text };
}

describe('createLogger', () => {
  it('writes one JSON object per line with a readable level, the service name and the base fields', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, base: { environment: 'test' } });
    logger.info({ event: 'x.happened', n: 1 }, 'hello');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    assert.equal(line.level, 'info');
    assert.equal(line.service, 'ope');
    assert.equal(line.environment, 'test');
    assert.equal(line.event, 'x.happened');
    assert.equal(line.msg, 'hello');
    assert.equal(typeof line.time, 'string');
  });

  it('censors authorization headers, cookies, tokens, secrets and passwords wherever a log call puts them', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    const secret = 'eyJhbGciOiJFUzI1NiJ9.c2VjcmV0.c2lnbmF0dXJl';
    logger.info({ req: { headers: { authorization: `Bearer ${secret}`, cookie: `s=${secret}` } } });
    logger.info({ headers: { authorization: `Bearer ${secret}` } });
    logger.info({ request: { headers: { authorization: `Bearer ${secret}` } } });
    logger.info({ authorization: `Bearer ${secret}`, token: secret, secret, password: secret });
    logger.info({ client: { token: secret, secret, accessToken: secret } });
    assert.ok(!out.text().includes(secret), out.text());
    assert.equal(out.text().trim().split('\n').length, 5);
    assert.ok(out.text().includes('[Redacted]'));
  });

  it('honours the level', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, level: 'warn' });
    logger.info('hidden');
    logger.warn('shown');
    assert.deepEqual(
      out
        .text()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
      ['shown'],
    );
  });
});
