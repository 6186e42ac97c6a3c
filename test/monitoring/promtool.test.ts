import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { exposedSeriesNames, metricNamesInPromQL } from './metric-names.js';
import { runTool, skipUnlessInstalled } from './system-tool.js';
import type { ToolRun } from './system-tool.js';

/**
 * The alert rules are checked and unit-tested by Prometheus's own tool, so a rule that does not parse, or an alert
 * that fires when it should not (or stays silent when it should fire), fails the suite. promtool comes from
 * Debian's `prometheus` package (installed by .ci/run). Without it the tests are skipped with a loud message on a
 * developer's machine, and fail in CI.
 */

const PROMETHEUS_DIR = fileURLToPath(new URL('../../monitoring/prometheus/', import.meta.url));

function promtool(args: readonly string[]): ToolRun {
  return runTool('promtool', args, PROMETHEUS_DIR);
}

describe('Prometheus alert rules (monitoring/prometheus)', () => {
  const skip = skipUnlessInstalled('promtool', ['--version'], 'prometheus', 'the alert rule tests');

  it('rules.yml passes promtool check rules', { skip }, () => {
    const { status, output } = promtool(['check', 'rules', 'rules.yml']);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS: \d+ rules found/);
  });

  it('every alert fires and stays silent exactly as rules.test.yml says (promtool test rules)', { skip }, () => {
    const { status, output } = promtool(['test', 'rules', 'rules.test.yml']);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
  });
});

interface AlertRule {
  readonly alert?: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
interface AlertTestCase {
  readonly alertname: string;
  readonly exp_alerts?: readonly unknown[];
}

describe('alert rule coverage (no promtool needed)', () => {
  const rules = parse(readFileSync(join(PROMETHEUS_DIR, 'rules.yml'), 'utf8')) as { groups: { rules: AlertRule[] }[] };
  const tests = parse(readFileSync(join(PROMETHEUS_DIR, 'rules.test.yml'), 'utf8')) as {
    tests: { alert_rule_test?: AlertTestCase[] }[];
  };
  const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
  const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);

  it('has a case where each alert fires and a case where it stays silent', () => {
    for (const name of new Set(alerts.map((a) => a.alert!))) {
      const mine = cases.filter((c) => c.alertname === name);
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${name}: no firing case`,
      );
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${name}: no silent case`,
      );
    }
  });

  it('gives every alert a severity Alertmanager routes, a summary, a description naming its runbook section, and a runbook link', () => {
    for (const rule of alerts) {
      assert.ok(['critical', 'warning'].includes(rule.labels?.severity ?? ''), `${rule.alert}: severity`);
      assert.ok((rule.annotations?.summary ?? '').length > 0, `${rule.alert}: summary`);
      assert.match(
        rule.annotations?.description ?? '',
        /Runbook: docs\/RUNBOOK\.md, section "[^"]+"\./,
        `${rule.alert}: description`,
      );
      assert.match(rule.annotations?.runbook ?? '', /^docs\/RUNBOOK\.md#[a-z0-9-]+$/, `${rule.alert}: runbook`);
    }
  });

  it('asks only for series that OPE exposes (src/observability/metrics.ts)', async () => {
    const exposed = await exposedSeriesNames();
    for (const rule of alerts) {
      const names = metricNamesInPromQL(rule.expr);
      assert.ok(names.length > 0, `${rule.alert}: no metric`);
      for (const name of names) assert.ok(exposed.has(name), `${rule.alert}: ${name} is not exposed by OPE`);
    }
  });
});
