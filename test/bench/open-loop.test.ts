import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResponseReader, encodeRequest, openLoop } from '../../bench/support/open-loop.js';

function responses(reader: ResponseReader, chunks: readonly string[]): Array<[number, boolean]> {
  const seen: Array<[number, boolean]> = [];
  for (const chunk of chunks)
    reader.feed(Buffer.from(chunk, 'latin1'), (status, keepOpen) => seen.push([status, keepOpen]));
  return seen;
}

describe('open-loop load generator', () => {
  it('frames responses by Content-Length however the bytes are split or joined', () => {
    const ok = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"bcd"}';
    const shed =
      'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\nretry-after: 1\r\nconnection: close\r\n\r\n{}';
    const whole = ok + ok + shed;
    assert.deepEqual(responses(new ResponseReader(), [whole]), [
      [200, true],
      [200, true],
      [503, false],
    ]);
    for (const size of [1, 3, 7, 40]) {
      const chunks = whole.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [];
      assert.deepEqual(
        responses(new ResponseReader(), chunks),
        [
          [200, true],
          [200, true],
          [503, false],
        ],
        `chunks of ${size}`,
      );
    }
  });

  it('refuses a response it cannot frame', () => {
    assert.throws(
      () =>
        responses(new ResponseReader(), ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n']),
      /cannot frame/,
    );
  });

  it('encodes the request with its headers and the body length in bytes', () => {
    const bytes = encodeRequest(
      new URL('http://127.0.0.1:8000/api/v1/pricing/batch?x=1'),
      'POST',
      { authorization: 'Bearer t' },
      '{"s":"é"}',
    );
    const text = bytes.toString('utf8');
    assert.match(text, /^POST \/api\/v1\/pricing\/batch\?x=1 HTTP\/1\.1\r\nhost: 127\.0\.0\.1:8000\r\n/);
    assert.match(text, /\r\nauthorization: Bearer t\r\n/);
    assert.match(text, /\r\ncontent-length: 10\r\n\r\n\{"s":"é"\}$/);
  });

  it('offers the rate against a real listener, counting each status, and reopens connections the server closes', async () => {
    let served = 0;
    const server = http.createServer((request, response) => {
      let length = 0;
      request.on('data', (chunk: Buffer) => (length += chunk.length));
      request.on('end', () => {
        served += 1;
        const refuse = served % 4 === 0;
        if (refuse) response.setHeader('connection', 'close');
        const payload = JSON.stringify({ length, filler: 'x'.repeat(refuse ? 0 : 70_000) });
        response.writeHead(refuse ? 503 : 200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        });
        response.end(payload);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = JSON.stringify({ contracts: 'y'.repeat(5_000) });
      const result = await openLoop({
        url: `http://127.0.0.1:${port}/p`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        rate: 200,
        seconds: 0.5,
      });
      assert.equal(result.sent, 100);
      assert.equal(result.errors, 0);
      assert.equal(result.latencies.get(200)?.length, 75);
      assert.equal(result.latencies.get(503)?.length, 25);
      assert.equal(served, 100);
      // The last request leaves when the window closes, so its answer is outside it.
      const inWindow = (result.answeredInWindow.get(200) ?? 0) + (result.answeredInWindow.get(503) ?? 0);
      assert.ok(inWindow >= 50 && inWindow <= 99, `answered in the window: ${inWindow}`);
      assert.ok(result.clientCpuSeconds > 0);
    } finally {
      server.close();
    }
  });
});
