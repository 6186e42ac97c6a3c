import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chunk, rawRequest } from '../helpers/raw-http.js';
import { SECURITY_HEADERS, pricingRequest, startServer } from './support.js';
import type { TestServer } from './support.js';

/**
 * MAX_BODY_BYTES on the wire (docs/api.md, "Behaviour worth knowing"): a body over the limit is refused from its
 * Content-Length before it is read, and while streaming when there is none. Raw sockets, because fetch always
 * sends the body it announces.
 */

const LIMIT = 8192;

describe('payload limit on the wire', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startServer({ env: { MAX_BODY_BYTES: String(LIMIT) } });
    token = await server.token(['pricing:read']);
  });
  after(async () => {
    await server.close();
  });

  function head(path: string, framing: string): string {
    const host = new URL(server.url).host;
    return `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n${framing}\r\n`;
  }

  async function payloadRejections(route: string): Promise<number> {
    const text = (await server.request('/metrics', { token: null })).text;
    const match = new RegExp(`^ope_payload_too_large_total\\{route="${route}"\\} (\\d+)$`, 'm').exec(text);
    return Number(match?.[1] ?? 0);
  }

  it('refuses an announced Content-Length over the limit with 413 without waiting for a body that never comes', async () => {
    const before = await payloadRejections('/api/v1/pricing/batch');
    // No body follows the head: a server that tried to read it would wait until the 5 s timeout.
    const response = await rawRequest(server.url, head('/api/v1/pricing/batch', 'Content-Length: 10000000\r\n'), {
      timeoutMs: 2000,
    });
    assert.equal(response.status, 413);
    assert.deepEqual(JSON.parse(response.body), {
      detail: 'Payload too large',
      request_id: response.headers['x-request-id'],
    });
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(response.headers[name], value, name);
    assert.equal(await payloadRejections('/api/v1/pricing/batch'), before + 1);
  });

  it('refuses a Content-Length just one byte over the limit, body sent, with 413', async () => {
    const body = JSON.stringify(pricingRequest({ padding: 'x' })).padEnd(LIMIT + 1, ' ');
    const response = await rawRequest(server.url, head('/api/v1/pricing/single', `Content-Length: ${LIMIT + 1}\r\n`), {
      parts: [body],
    });
    assert.equal(response.status, 413);
    assert.equal(JSON.parse(response.body).detail, 'Payload too large');
  });

  it('refuses a chunked body with 413 as soon as it crosses the limit, before the rest is sent', async () => {
    const before = await payloadRejections('/api/v1/pricing/batch');
    const opening = '{"contracts": [], "padding": "';
    const parts = [
      chunk(opening),
      ...Array.from({ length: 40 }, () => chunk('x'.repeat(1000))),
      chunk('"}'),
      chunk(''),
    ];
    const response = await rawRequest(server.url, head('/api/v1/pricing/batch', 'Transfer-Encoding: chunked\r\n'), {
      parts,
      gapMs: 20,
    });
    assert.equal(response.status, 413);
    assert.deepEqual(JSON.parse(response.body), {
      detail: 'Payload too large',
      request_id: response.headers['x-request-id'],
    });
    // About 9 of the 1000-byte chunks cross 8192 bytes; the answer must come long before all 43 parts are written.
    assert.ok(response.partsSent < 20, `refused after ${response.partsSent} parts`);
    assert.equal(await payloadRejections('/api/v1/pricing/batch'), before + 1);
  });

  it('prices a chunked body under the limit', async () => {
    const text = JSON.stringify(pricingRequest());
    const third = Math.ceil(text.length / 3);
    const parts = [
      chunk(text.slice(0, third)),
      chunk(text.slice(third, 2 * third)),
      chunk(text.slice(2 * third)),
      chunk(''),
    ];
    const response = await rawRequest(server.url, head('/api/v1/pricing/single', 'Transfer-Encoding: chunked\r\n'), {
      parts,
    });
    assert.equal(response.status, 200, response.body);
    const body = JSON.parse(response.body);
    assert.equal(body.results.length, 1);
    assert.equal(body.results[0].contract_id, 'ABC_100.0000_0.500000_call');
  });

  it('refuses an oversized body with 401, not 413, when the request has no token: nothing is read for strangers', async () => {
    const host = new URL(server.url).host;
    const response = await rawRequest(
      server.url,
      `POST /api/v1/pricing/batch HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n`,
      { timeoutMs: 2000 },
    );
    assert.equal(response.status, 401);
    assert.equal(JSON.parse(response.body).detail, 'Credentials required');
  });
});
