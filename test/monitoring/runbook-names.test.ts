import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ERROR_CATALOGUE } from '../../src/http/errors.js';
import { buildInspectableApp, hasRoute } from './app-routes.js';
import type { InspectableApp } from './app-routes.js';
import { configVariables } from './config-variables.js';
import { exposedMetrics, exposedSeriesNames, metricNamesInPromQL } from './metric-names.js';

/**
 * On-call engineers act on names: a metric to graph, a variable to change, a route to probe, an alert to find. This
 * test keeps two runbooks honest:
 * - docs/RUNBOOK.md (this implementation's): every name in backticks exists here (metrics exposed by
 *   src/observability/metrics.ts or prom-client's defaults, variables read by src/config/config.ts, routes the app
 *   registers, alerts in monitoring/prometheus/rules.yml, error codes in src/http/errors.ts, log events that src logs,
 *   files in the repository), and every alert has the section its description points to.
 * - the seed runbook the on-call team already follows (shared/seed/OPERATIONS.md, written for the Python service):
 *   every metric, variable, alert, route and file it names exists here too.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNBOOK = readFileSync(join(ROOT, 'docs/RUNBOOK.md'), 'utf8');
// CI and developers have shared/ beside the clone; the names below are the fallback when it is not there.
const SEED_RUNBOOK_PATH = join(ROOT, '..', 'shared', 'seed', 'OPERATIONS.md');

/**
 * Every name in backticks in the seed runbook (shared/seed/OPERATIONS.md, the Python OPE's "Operations Runbook"),
 * transcribed and sorted by kind. When the seed file is present the test also checks this list is still complete.
 */
const SEED_NAMES = {
  variables: [
    'OIDC_ISSUER',
    'OIDC_AUDIENCE',
    'OIDC_JWKS_URL',
    'OPE_THREADS',
    'OPE_THREAD_QUEUE_MAX',
    'RATE_LIMIT_DEFAULT',
    'MAX_BODY_BYTES',
  ],
  metrics: [
    'ope_request_total',
    'ope_auth_failures_total{reason="jwt_error"}',
    'ope_request_latency_seconds',
    'ope_model_latency_seconds',
    'ope_threadpool_queue_depth',
    'ope_threadpool_queue_wait_seconds',
    'ope_threadpool_saturation_total',
    'ope_rate_limit_rejections_total',
    'ope_payload_too_large_total',
    'ope_model_errors_total{model="monte_carlo_20k"}',
    'ope_threadpool_tasks_in_flight',
  ],
  alerts: [
    'OPEHighHttpErrorRate',
    'OPEHighLatencyP95',
    'OPEThreadPoolRejections',
    'OPERateLimitSpike',
    'OPEPayloadRejections',
  ],
  routes: ['/healthz', '/metrics', 'GET /healthz', 'GET /metrics'],
  files: ['README.md', 'monitoring/prometheus/rules.yml'],
  /** Response, request and log fields, with the source file that must produce them. */
  fields: {
    'status=ok': 'src/http/routes/health.ts',
    environment: 'src/http/routes/health.ts',
    request_id: 'src/http/error-handler.ts',
    user: 'src/observability/request-logging.ts',
    seed: 'src/http/schemas.ts',
    kid: 'src/auth/jwks-cache.ts',
  } as Record<string, string>,
  /** The Python start command; docs/RUNBOOK.md's start-up checklist gives this implementation's. */
  pythonOnly: ['uvicorn options_engine.api.fastapi_app:app --host 0.0.0.0 --port 8000'],
};

function backticked(markdown: string): string[] {
  return [...markdown.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.trim());
}

/** GitHub's heading anchor: lower case, punctuation other than "-" and "_" dropped, spaces to "-". */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

interface AlertRule {
  readonly alert?: string;
  readonly annotations?: { readonly description?: string; readonly runbook?: string };
}

function alertRules(): AlertRule[] {
  const rules = parse(readFileSync(join(ROOT, 'monitoring/prometheus/rules.yml'), 'utf8')) as {
    groups: { rules: AlertRule[] }[];
  };
  return rules.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
}

/** Every `event: '<name>'` the service can log. */
function loggedEvents(): Set<string> {
  const events = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts'))
        for (const m of readFileSync(path, 'utf8').matchAll(/event: '([a-z_.]+)'/g)) events.add(m[1]!);
    }
  };
  walk(join(ROOT, 'src'));
  return events;
}

const SIGNALS_MAIN_HANDLES = ['SIGTERM', 'SIGINT', 'SIGHUP'];
const FILE = /^(?:[\w.-]+\/)*[\w-]+\.(?:md|ya?ml|json|ts|js|mjs)$|^(?:[\w.-]+\/)+$|^(?:Dockerfile|\.dockerignore)$/;
const METRIC = /^((?:ope|process|nodejs)_[a-z0-9_]+)(?:\{(.*)\})?$/;

describe('docs/RUNBOOK.md names only what exists', () => {
  let inspectable: InspectableApp;
  let series: Set<string>;
  const labelNames = new Map<string, Set<string>>();
  before(async () => {
    inspectable = await buildInspectableApp();
    series = await exposedSeriesNames();
    for (const metric of await exposedMetrics()) labelNames.set(metric.name, new Set(metric.labelNames));
  });
  after(async () => {
    await inspectable.close();
  });

  /** The metric's family name (histogram series map to their family) and its label names. */
  function checkMetric(span: string, where: string): void {
    const match = METRIC.exec(span);
    assert.ok(match, `${where}: ${span} is not a metric name`);
    const [, name, selector] = match;
    assert.ok(series.has(name!) || labelNames.has(name!), `${where}: ${name} is not exposed by OPE`);
    const family = labelNames.get(name!) ?? labelNames.get(name!.replace(/_(bucket|sum|count)$/, ''));
    for (const [, label, value] of (selector ?? '').matchAll(/(\w+)="([^"]*)"/g)) {
      assert.ok(family?.has(label!), `${where}: ${name} has no label ${label}`);
      assert.ok(sourceMentions(`'${value}'`), `${where}: no source file produces ${label}="${value}"`);
    }
  }

  function check(
    span: string,
    where: string,
    known: { variables: Set<string>; alerts: Set<string>; events: Set<string> },
  ): boolean {
    if (span.includes('(') && /\b(?:ope|process|nodejs)_/.test(span)) {
      const names = metricNamesInPromQL(span);
      assert.ok(names.length > 0, `${where}: no metric in ${span}`);
      for (const name of names) checkMetric(name, where);
      return true;
    }
    if (METRIC.test(span)) {
      checkMetric(span, where);
      return true;
    }
    if (/^ERR_[A-Z0-9_]+$/.test(span)) {
      assert.ok(span in ERROR_CATALOGUE, `${where}: ${span} is not an error code in src/http/errors.ts`);
      return true;
    }
    if (/^SIG[A-Z]+$/.test(span)) {
      assert.ok([...SIGNALS_MAIN_HANDLES, 'SIGKILL'].includes(span), `${where}: src/main.ts does not handle ${span}`);
      return true;
    }
    if (/^OPE[A-Z][a-z][A-Za-z0-9]*$/.test(span)) {
      assert.ok(known.alerts.has(span), `${where}: ${span} is not an alert in monitoring/prometheus/rules.yml`);
      return true;
    }
    const variable = /^([A-Z][A-Z0-9_]*[A-Z0-9])(?:=\S*)?$/.exec(span);
    if (variable) {
      assert.ok(known.variables.has(variable[1]!), `${where}: ${variable[1]} is not read by src/config/config.ts`);
      return true;
    }
    const route = /^(?:(GET|POST|PUT|PATCH|DELETE) )?(\/[\w./-]*)$/.exec(span);
    if (route) {
      const [, method, path] = route;
      const found =
        method === undefined
          ? hasRoute(inspectable.app, path!)
          : inspectable.app.hasRoute({ method: method as 'GET', url: path! });
      assert.ok(found, `${where}: ${span} is not a route of the app`);
      return true;
    }
    if (FILE.test(span)) {
      // Build output is named by its source: dist/main.js comes from src/main.ts.
      const path = span.startsWith('dist/') ? span.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts') : span;
      assert.ok(existsSync(join(ROOT, path)), `${where}: ${span} does not exist`);
      return true;
    }
    if (/^[a-z]+\.[a-z_]+$/.test(span)) {
      assert.ok(known.events.has(span), `${where}: no source file logs the event ${span}`);
      return true;
    }
    return false;
  }

  function sourceMentions(text: string): boolean {
    const walk = (dir: string): boolean =>
      readdirSync(dir).some((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory()
          ? walk(path)
          : name.endsWith('.ts') && readFileSync(path, 'utf8').includes(text);
      });
    return walk(join(ROOT, 'src'));
  }

  function known(): { variables: Set<string>; alerts: Set<string>; events: Set<string> } {
    return { variables: configVariables(), alerts: new Set(alertRules().map((r) => r.alert!)), events: loggedEvents() };
  }

  it('every backticked metric, variable, route, alert, error code, log event and file in docs/RUNBOOK.md exists', () => {
    const names = known();
    const checked = backticked(RUNBOOK).filter((span) => check(span, 'docs/RUNBOOK.md', names));
    // The check must actually have looked at the runbook's names, not skipped them all as prose.
    assert.ok(checked.length > 100, `only ${checked.length} names checked`);
  });

  it('has the section each alert description points to, under the anchor of its runbook annotation, and a threshold row per alert', () => {
    const headings = [...RUNBOOK.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1]!.trim());
    const thresholds = RUNBOOK.slice(RUNBOOK.indexOf('### Alert thresholds and why'));
    for (const rule of alertRules()) {
      const section = /section "([^"]+)"/.exec(rule.annotations?.description ?? '')?.[1];
      assert.ok(section && headings.includes(section), `${rule.alert}: no heading "${section}" in docs/RUNBOOK.md`);
      assert.equal(rule.annotations?.runbook, `docs/RUNBOOK.md#${slug(section)}`, `${rule.alert}: runbook anchor`);
      assert.match(
        thresholds,
        new RegExp(`^\\| \`${rule.alert}\` \\|`, 'm'),
        `${rule.alert}: no row in "Alert thresholds and why"`,
      );
    }
  });

  it('replaces what only the Python service had: the start command and clearing the pod', () => {
    const spans = backticked(RUNBOOK);
    for (const command of ['npm start', 'node dist/main.js', 'SIGHUP']) assert.ok(spans.includes(command), command);
    const rotation = RUNBOOK.slice(RUNBOOK.indexOf('## Token rotation'), RUNBOOK.indexOf('## Troubleshooting tips'));
    assert.match(rotation, /`SIGHUP`/);
    assert.ok(!spans.some((s) => s.startsWith('uvicorn')), 'the runbook still gives the Python start command');
  });

  describe('the seed runbook (shared/seed/OPERATIONS.md)', () => {
    it('lists no name the transcription above lacks (when the seed file is present)', (t) => {
      if (!existsSync(SEED_RUNBOOK_PATH)) {
        t.diagnostic(`${SEED_RUNBOOK_PATH} not found: checking the transcribed names only`);
        return;
      }
      const transcribed = new Set([
        ...SEED_NAMES.variables,
        ...SEED_NAMES.metrics,
        ...SEED_NAMES.alerts,
        ...SEED_NAMES.routes,
        ...SEED_NAMES.files,
        ...Object.keys(SEED_NAMES.fields),
        ...SEED_NAMES.pythonOnly,
      ]);
      const missing = backticked(readFileSync(SEED_RUNBOOK_PATH, 'utf8')).filter((span) => !transcribed.has(span));
      assert.deepEqual(missing, [], 'the seed runbook names things this test does not check');
    });

    it('names only metrics, variables, alerts, routes and files that exist in this implementation', () => {
      const names = known();
      for (const span of [
        ...SEED_NAMES.variables,
        ...SEED_NAMES.metrics,
        ...SEED_NAMES.alerts,
        ...SEED_NAMES.routes,
        ...SEED_NAMES.files,
      ]) {
        assert.ok(check(span, 'seed OPERATIONS.md', names), `${span} was not recognised`);
      }
      // The seed names these alerts as a group; rules.yml must also have the one the contract adds.
      assert.ok(names.alerts.has('OPEPersistentQueueBacklog'));
    });

    it('names response, request and log fields that this implementation produces', () => {
      for (const [field, file] of Object.entries(SEED_NAMES.fields)) {
        const text = readFileSync(join(ROOT, file), 'utf8');
        const needle = field === 'status=ok' ? "status: 'ok'" : field;
        assert.ok(text.includes(needle), `${file} does not produce ${field}`);
      }
    });
  });
});
