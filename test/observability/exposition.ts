/**
 * A reader for the Prometheus text exposition format (version 0.0.4), enough to check a scrape the way Prometheus
 * would read it: families with their HELP and TYPE, and samples with their labels. Label values are unescaped
 * (\\, \", \n).
 */

export interface Sample {
  /** The series name: the family name, or with _bucket/_sum/_count for histograms. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  let consumed = 0;
  for (let match = LABEL.exec(text); match !== null; match = LABEL.exec(text)) {
    labels[match[1]!] = match[2]!.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    consumed = LABEL.lastIndex;
  }
  if (consumed !== text.length) throw new Error(`unparsable labels in: ${line}`);
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** The family a series belongs to: histogram and summary series carry a suffix on the family name. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const exact = families.get(name);
  if (exact !== undefined) return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const family = families.get(name.slice(0, -suffix.length));
      if (family !== undefined && (family.type === 'histogram' || family.type === 'summary')) return family;
    }
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('# HELP ')) {
      const rest = line.slice(7);
      const space = rest.indexOf(' ');
      help.set(rest.slice(0, space), rest.slice(space + 1));
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      families.set(name!, { name: name!, type: type!, help: help.get(name!) ?? '', samples: [] });
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`unparsable sample: ${line}`);
    const [, name, labelText, value] = match;
    const family = familyOf(name!, families);
    if (family === undefined) throw new Error(`sample without a TYPE line: ${line}`);
    family.samples.push({
      name: name!,
      labels: labelText === undefined ? {} : parseLabels(labelText, line),
      value: parseValue(value!),
    });
  }
  return families;
}

/** The value of the one sample of `series` whose labels include `labels`; undefined when there is none. */
export function sampleValue(
  families: Map<string, Family>,
  series: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const family = familyOf(series, families);
  const found =
    family?.samples.filter((s) => s.name === series && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) ??
    [];
  if (found.length > 1) throw new Error(`${series} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}
