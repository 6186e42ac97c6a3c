import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runTool, skipUnlessInstalled } from './system-tool.js';

/**
 * The example Alertmanager configuration is valid for Alertmanager itself (`amtool check-config`, Debian's
 * `prometheus-alertmanager` package) and routes every severity that rules.yml uses where the runbook says:
 * critical to PagerDuty (and the chat), warning to the chat only.
 */

const ALERTMANAGER_DIR = fileURLToPath(new URL('../../monitoring/alertmanager/', import.meta.url));
const PROMETHEUS_DIR = fileURLToPath(new URL('../../monitoring/prometheus/', import.meta.url));

function amtool(args: readonly string[]): ReturnType<typeof runTool> {
  return runTool('amtool', args, ALERTMANAGER_DIR);
}

function severitiesInRules(): Set<string> {
  const rules = parse(readFileSync(join(PROMETHEUS_DIR, 'rules.yml'), 'utf8')) as {
    groups: { rules: { labels?: { severity?: string } }[] }[];
  };
  return new Set(rules.groups.flatMap((g) => g.rules).map((r) => r.labels?.severity ?? '(none)'));
}

describe('Alertmanager example (monitoring/alertmanager/alertmanager.yml)', () => {
  const skip = skipUnlessInstalled('amtool', ['--version'], 'prometheus-alertmanager', 'the Alertmanager config tests');

  it('passes amtool check-config', { skip }, () => {
    const { status, output } = amtool(['check-config', 'alertmanager.yml']);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
  });

  it('pages critical alerts to PagerDuty and posts them to chat; sends warnings to chat only', { skip }, () => {
    const expected: Record<string, string> = { critical: 'ope-pagerduty,ope-chat', warning: 'ope-chat' };
    assert.deepEqual(
      [...severitiesInRules()].sort(),
      Object.keys(expected).sort(),
      'rules.yml uses a severity this test does not route',
    );
    for (const [severity, receivers] of Object.entries(expected)) {
      const { status, output } = amtool([
        'config',
        'routes',
        'test',
        '--config.file=alertmanager.yml',
        `--verify.receivers=${receivers}`,
        `severity=${severity}`,
        'alertname=OPEHighHttpErrorRate',
        'job=ope',
      ]);
      assert.equal(status, 0, `${severity}: ${output}`);
    }
  });
});
