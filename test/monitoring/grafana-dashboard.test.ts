import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { exposedSeriesNames, metricNamesInPromQL } from './metric-names.js';
import { runTool, skipUnlessInstalled } from './system-tool.js';

/**
 * monitoring/grafana/ope-dashboard.json: valid JSON a Grafana can import, whose every query asks only for series an
 * OPE process exposes (a renamed metric would otherwise leave an empty panel that nobody notices), and which shows
 * what the runbook tells on-call to look at.
 */

interface Target {
  readonly refId: string;
  readonly expr: string;
}
interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly Target[];
}
interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly { readonly name: string }[] };
}

const DASHBOARD_PATH = new URL('../../monitoring/grafana/ope-dashboard.json', import.meta.url);

function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

function exprs(dashboard: Dashboard): { panel: string; expr: string }[] {
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

describe('Grafana dashboard (monitoring/grafana/ope-dashboard.json)', () => {
  let exposed: Set<string>;
  before(async () => {
    exposed = await exposedSeriesNames();
  });

  it('is a JSON dashboard with a uid, unique panel ids, panels inside the 24-column grid, and the variables its queries use', () => {
    const dashboard = loadDashboard();
    assert.equal(typeof dashboard.uid, 'string');
    assert.ok(dashboard.title.length > 0);
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate panel ids');
    for (const panel of dashboard.panels) {
      assert.ok(panel.gridPos.x >= 0 && panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title}: outside the grid`);
      if (panel.type !== 'row') assert.ok((panel.targets ?? []).length > 0, `${panel.title}: no query`);
    }
    const variables = new Set(dashboard.templating.list.map((v) => v.name));
    for (const { panel, expr } of exprs(dashboard)) {
      for (const [, name] of expr.matchAll(/\$(\w+)/g)) {
        if (!name!.startsWith('__')) assert.ok(variables.has(name!), `${panel}: $${name} is not a dashboard variable`);
      }
    }
  });

  it('queries only series that OPE exposes (src/observability/metrics.ts and prom-client defaults)', () => {
    for (const { panel, expr } of exprs(loadDashboard())) {
      const names = metricNamesInPromQL(expr);
      assert.ok(names.length > 0, `${panel}: no metric in ${expr}`);
      for (const name of names) assert.ok(exposed.has(name), `${panel}: ${name} is not exposed by OPE (${expr})`);
    }
  });

  it('shows request rate, 5xx ratio, p95 per route, model latency, pool state, queue wait, rejections, auth failures, rate-limit and payload refusals', () => {
    const used = new Set(exprs(loadDashboard()).flatMap(({ expr }) => metricNamesInPromQL(expr)));
    for (const name of [
      'ope_request_total',
      'ope_request_errors_total',
      'ope_request_latency_seconds_bucket',
      'ope_model_latency_seconds_bucket',
      'ope_model_errors_total',
      'ope_threadpool_workers',
      'ope_threadpool_tasks_in_flight',
      'ope_threadpool_queue_depth',
      'ope_threadpool_queue_wait_seconds_bucket',
      'ope_threadpool_rejections_total',
      'ope_threadpool_saturation_total',
      'ope_auth_failures_total',
      'ope_jwks_last_success_timestamp_seconds',
      'ope_rate_limit_rejections_total',
      'ope_payload_too_large_total',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      assert.ok(used.has(name), `no panel shows ${name}`);
    }
  });

  describe('with promtool', () => {
    const skip = skipUnlessInstalled('promtool', ['--version'], 'prometheus', 'the dashboard PromQL syntax check');
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'ope-dashboard-'));
    });
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('every query is valid PromQL once the Grafana variables are filled in', { skip }, () => {
      // promtool parses recording-rule expressions, so each query becomes one rule.
      const rules = exprs(loadDashboard()).map(({ expr }, i) => ({
        record: `ope:dashboard_query_${i}`,
        expr: expr.replaceAll('$__rate_interval', '5m').replace(/\$\w+/g, '.+'),
      }));
      writeFileSync(join(dir, 'dashboard-queries.yml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
      const { status, output } = runTool('promtool', ['check', 'rules', 'dashboard-queries.yml'], dir);
      assert.equal(status, 0, output);
    });
  });
});
