import { createMetrics } from '../../src/observability/metrics.js';

/**
 * What the monitoring files may refer to: the series names an OPE process exposes (every metric created by
 * createMetrics in src/observability/metrics.ts, prom-client's default process metrics included, histograms with
 * their _bucket, _sum and _count series), and a small PromQL reader that finds the metric names in an expression.
 */

export interface ExposedMetric {
  readonly name: string;
  readonly type: string;
  readonly labelNames: readonly string[];
}

/** Every metric of a real registry, as createMetrics() builds it for src/main.ts (default metrics on). */
export async function exposedMetrics(): Promise<ExposedMetric[]> {
  const metrics = createMetrics();
  const json = await metrics.registry.getMetricsAsJSON();
  return json.map((m) => {
    // Each metric object keeps the labelNames it was created with; prom-client's typings do not expose the field.
    const metric = metrics.registry.getSingleMetric(m.name) as unknown as
      { labelNames?: readonly string[] } | undefined;
    return { name: m.name, type: String(m.type), labelNames: [...(metric?.labelNames ?? [])] };
  });
}

/** Series names a scrape can contain: histogram families contribute their _bucket, _sum and _count series. */
export async function exposedSeriesNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const { name, type } of await exposedMetrics()) {
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
  }
  return names;
}

const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'atan2',
]);

/**
 * The metric names an expression selects. Grafana variables ($job, $__rate_interval), string literals, label
 * matchers, range and subquery brackets and grouping label lists are removed first; what remains that is an
 * identifier not followed by "(" and not a keyword is a metric name. Numbers and durations are skipped whole so
 * "5m" never reads as a metric "m".
 */
export function metricNamesInPromQL(expr: string): string[] {
  const text = expr
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  const token = /(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:ms|[smhdwy])?)|([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g;
  for (const match of text.matchAll(token)) {
    const [, number, identifier, call] = match;
    if (number !== undefined || identifier === undefined || call !== undefined) continue;
    if (PROMQL_KEYWORDS.has(identifier.toLowerCase())) continue;
    names.push(identifier);
  }
  return [...new Set(names)];
}
