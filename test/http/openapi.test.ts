import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer } from './support.js';
import type { TestServer } from './support.js';

/**
 * The OpenAPI document as the running service serves it (so every route, whoever adds it, is covered): it passes
 * `redocly lint` with the recommended rules, and has what a client generator needs (docs/api.md, "OpenAPI").
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** The operationIds of the Python service's document (FastAPI's), which generated clients are built on. */
const PYTHON_OPERATION_IDS = [
  'single_api_v1_pricing_single_post',
  'batch_api_v1_pricing_batch_post',
  'aggregate_greeks_api_v1_risk_aggregate_greeks_post',
  'list_volatility_points_api_v1_market_data_volatility_get',
  'upsert_volatility_point_api_v1_market_data_volatility_post',
  'estimate_volatility_api_v1_market_data_volatility_estimate_post',
  'healthz_healthz_get',
];

function operations(document: Json): { path: string; method: string; operation: Json }[] {
  return Object.entries(document.paths as Record<string, Json>).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method] !== undefined).map((method) => ({ path, method, operation: item[method] })),
  );
}

describe('the served OpenAPI document', () => {
  let server: TestServer;
  let document: Json;
  before(async () => {
    server = await startServer();
    const response = await server.request('/openapi.json', { token: null });
    assert.equal(response.status, 200);
    document = response.json;
  });
  after(async () => {
    await server?.close();
  });

  it('passes redocly lint with the recommended rules, without errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ope-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document, null, 1));
      const cli = resolve('node_modules/@redocly/cli/bin/cli.js');
      // Only loopback is reachable: no telemetry, no update check.
      const env = {
        ...process.env,
        REDOCLY_TELEMETRY: 'off',
        REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
        NODE_OPTIONS: '',
      };
      const run = spawnSync(process.execPath, [cli, 'lint', '--extends', 'recommended', '--format', 'json', file], {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(run.error, undefined, String(run.error));
      const report = JSON.parse(run.stdout) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
      };
      const errors = report.problems
        .filter((p) => p.severity === 'error')
        .map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
      assert.deepEqual(errors, []);
      assert.equal(run.status, 0, run.stderr);
      const warnings = report.problems
        .filter((p) => p.severity === 'warn')
        .map((p) => `${p.ruleId} at ${p.location[0]?.pointer}`);
      if (warnings.length > 0) console.log(`redocly lint warnings (${warnings.length}):\n  ${warnings.join('\n  ')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names each operation as FastAPI did, uniquely, keeping the Python service's operationIds", () => {
    const ids = operations(document).map(({ path, method, operation }) => {
      assert.match(operation.operationId ?? '', /^[a-z0-9_]+_(get|post|put|patch|delete)$/, `${method} ${path}`);
      return operation.operationId as string;
    });
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    for (const id of PYTHON_OPERATION_IDS) assert.ok(ids.includes(id), `${id} is missing`);
  });

  it('puts the shared shapes in named component schemas and refers to them', () => {
    const names = Object.keys(document.components.schemas as object);
    for (const name of [
      'PricingRequest',
      'PricingBatchResponse',
      'PricingResultResponse',
      'OptionContractRequest',
      'MarketDataRequest',
      'ErrorResponse',
    ]) {
      assert.ok(names.includes(name), `components.schemas.${name}`);
    }
    const single = document.paths['/api/v1/pricing/single'].post;
    assert.equal(single.requestBody.content['application/json'].schema.$ref, '#/components/schemas/PricingRequest');
    assert.equal(
      single.responses['200'].content['application/json'].schema.$ref,
      '#/components/schemas/PricingBatchResponse',
    );
  });

  it('names the server it was fetched from', () => {
    assert.deepEqual(
      document.servers.map((s: Json) => s.url),
      [server.url],
    );
  });

  it('declares security on every operation, and the public ones ([]) really answer without a token', async () => {
    for (const { path, method, operation } of operations(document)) {
      assert.ok(Array.isArray(operation.security), `${method} ${path} declares no security`);
      if (operation.security.length > 0 || method !== 'get' || path.includes('{')) continue;
      const response = await server.request(path, { token: null });
      assert.ok(![401, 403].includes(response.status), `${path} is documented public but answered ${response.status}`);
    }
  });

  it('describes every response and documents Retry-After and the rate-limit headers', () => {
    for (const { path, method, operation } of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
        assert.notEqual(response.description, 'Default Response', `${method} ${path} ${status}`);
        assert.ok(response.headers?.['X-Request-ID'], `${method} ${path} ${status}: X-Request-ID`);
        if (status === '429' || status === '503')
          assert.ok(response.headers['Retry-After'], `${method} ${path} ${status}: Retry-After`);
      }
    }
    const batch = document.paths['/api/v1/pricing/batch'].post.responses;
    for (const status of ['200', '429']) {
      for (const header of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'])
        assert.ok(batch[status].headers[header], `${status} ${header}`);
    }
  });
});
