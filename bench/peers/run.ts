/**
 * `npm run bench:peers`: OPE against the npm packages a TypeScript user would pick instead, on one fixed,
 * seeded set of contracts, every workload timed in one process with the candidates interleaved after warm-up.
 *
 * For each workload and candidate it prints the median CPU time per option over the timed rounds (with the
 * minimum and maximum), the ratio of the candidate's median to OPE's, and the candidate's largest error against
 * the reference, so that a fast but wrong candidate shows as such; "n/a" where a package lacks the workload.
 * Slow candidates are timed on a prefix of the set (the `n` column); figures are per option either way.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { priceBlackScholesBatch } from '../../src/core/index.js';
import { compare, type Accuracy } from './accuracy.js';
import { greekOutputs, WORKLOAD_IDS, type Candidate, type CandidateJob, type WorkloadId } from './candidate.js';
import { americanPutSet, europeanSet } from './dataset.js';
import { checksum, median, timeInterleaved, type Timing, type TimingPlan } from './harness.js';
import { WORKLOADS, type EuropeanReference } from './workloads.js';
import { loppatto } from './candidates/loppatto.js';
import { ope } from './candidates/ope.js';
import { optionPricing } from './candidates/option-pricing.js';
import { quantlib } from './candidates/quantlib.js';
import { uqeeDefaults, uqeeDouble } from './candidates/uqee.js';

const EUROPEAN_SIZE = 100_000;
const AMERICAN_SIZE = 20_000;
const PLAN: TimingPlan = { warmupRounds: 2, timedRounds: 9 };

/** OPE's rows first; every other row is compared with the faster of them on each workload. */
const CANDIDATES: readonly Candidate[] = [ope, loppatto, uqeeDefaults, uqeeDouble, optionPricing, quantlib];
const OPE_NAMES = new Set([ope.name]);

interface Row {
  readonly candidate: Candidate;
  readonly job: CandidateJob;
  readonly timing: Timing;
  readonly accuracy: Accuracy;
}

interface WorkloadResult {
  readonly id: WorkloadId;
  readonly title: string;
  readonly errorDescription: string;
  readonly rows: readonly Row[];
  readonly load: number;
  readonly seconds: number;
}

function formatNs(ns: number): string {
  if (ns < 1e3) return `${ns.toPrecision(3)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} us`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

function formatError(accuracy: Accuracy, isReference: boolean): string {
  if (isReference) return 'reference';
  const error =
    accuracy.compared === accuracy.failures ? '-' : accuracy.maxError === 0 ? '0' : accuracy.maxError.toExponential(1);
  return accuracy.failures > 0 ? `${error}, ${accuracy.failures}/${accuracy.compared} failed` : error;
}

function machine(): string {
  const cores = cpus();
  const memory = (totalmem() / 2 ** 30).toFixed(1);
  return `${cores[0]?.model ?? 'unknown CPU'}, ${cores.length} logical cores, ${memory} GiB; Node ${process.version} (V8 ${process.versions.v8})`;
}

function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

function runWorkload(workloadIndex: number, context: EuropeanReference): WorkloadResult {
  const workload = WORKLOADS[workloadIndex]!;
  const started = performance.now();
  const entries = CANDIDATES.flatMap((candidate) => {
    const make = candidate.jobs[workload.id];
    return make ? [{ candidate, job: make(context) }] : [];
  });
  const timings = timeInterleaved(
    entries.map((e) => e.job),
    PLAN,
  );
  const load = loadavg()[0]!;
  const longest = Math.max(...entries.map((e) => e.job.count));
  const reference = workload.reference(context, longest);
  const rows = entries.map((entry, k) => ({
    ...entry,
    timing: timings[k]!,
    accuracy: compare(
      workload.compared(entry.job.outputs),
      reference.arrays,
      entry.job.count,
      workload.measure,
      reference.include,
    ),
  }));
  return {
    id: workload.id,
    title: workload.title,
    errorDescription: workload.errorDescription,
    rows,
    load,
    seconds: (performance.now() - started) / 1e3,
  };
}

/** The fastest OPE row of a workload: the baseline every ratio is taken against. */
function baseline(result: WorkloadResult): Row {
  const opeRows = result.rows.filter((r) => OPE_NAMES.has(r.candidate.name));
  return opeRows.reduce((best, r) => (median(r.timing.cpu) < median(best.timing.cpu) ? r : best));
}

function printDetail(results: readonly WorkloadResult[]): void {
  console.log(
    '\n| workload | candidate | n | median CPU / option | min - max | wall median | vs OPE | max error | load 1 min |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---|---:|');
  for (const result of results) {
    const base = median(baseline(result).timing.cpu);
    for (const row of result.rows) {
      const cpu = median(row.timing.cpu);
      const isOpe = OPE_NAMES.has(row.candidate.name);
      console.log(
        `| ${result.title} | ${row.candidate.name} | ${row.job.count} | ${formatNs(cpu)} | ` +
          `${formatNs(Math.min(...row.timing.cpu))} - ${formatNs(Math.max(...row.timing.cpu))} | ${formatNs(median(row.timing.wall))} | ` +
          `${isOpe ? (cpu === base ? '1' : `${(cpu / base).toFixed(2)}x`) : `${(cpu / base).toPrecision(3)}x`} | ` +
          `${formatError(row.accuracy, row.candidate === ope && result.id !== 'iv' && result.id !== 'mc')} | ${result.load.toFixed(2)} |`,
      );
    }
  }
}

function printSummary(results: readonly WorkloadResult[]): void {
  const peers = CANDIDATES.filter((c) => !OPE_NAMES.has(c.name));
  console.log(
    "\nSummary: median CPU time per option; for peers, their median over OPE's (n/a: the package has no such workload)\n",
  );
  console.log(`| workload | OPE | ${peers.map((p) => p.name).join(' | ')} |`);
  console.log(`|---|---:|${peers.map(() => '---:').join('|')}|`);
  const losses: string[] = [];
  for (const result of results) {
    const base = median(baseline(result).timing.cpu);
    const cells = peers.map((peer) => {
      const row = result.rows.find((r) => r.candidate === peer);
      if (!row) return 'n/a';
      const ratio = median(row.timing.cpu) / base;
      if (ratio <= 1) losses.push(`${result.title}: ${peer.name}`);
      return `${formatNs(median(row.timing.cpu))} (${ratio.toPrecision(3)}x)`;
    });
    console.log(`| ${result.title} | ${formatNs(base)} | ${cells.join(' | ')} |`);
  }
  console.log(
    losses.length === 0
      ? '\nOPE has the lowest median on every workload each peer supports.'
      : `\nOPE is NOT the fastest on: ${losses.join('; ')}`,
  );
}

function printLegend(results: readonly WorkloadResult[]): void {
  console.log('\nError columns:');
  for (const result of results) console.log(`- ${result.title}: ${result.errorDescription}`);
  console.log('\nHow each candidate was called:');
  for (const candidate of CANDIDATES) {
    console.log(`- ${candidate.name} (${candidate.packages})`);
    for (const note of candidate.notes) console.log(`  - ${note}`);
  }
}

function main(): void {
  const only = process.argv.slice(2).filter((a) => (WORKLOAD_IDS as readonly string[]).includes(a));
  console.log(`bench:peers on ${machine()}`);
  console.log(`load average at start: ${loadAverage()}`);
  console.log(
    `sets: ${EUROPEAN_SIZE} European calls and puts and ${AMERICAN_SIZE} American puts (dataset.ts, fixed seeds); ` +
      `${PLAN.timedRounds} timed rounds after ${PLAN.warmupRounds} warm-up rounds, candidates interleaved`,
  );

  const european = europeanSet(EUROPEAN_SIZE);
  const analytic = greekOutputs(EUROPEAN_SIZE);
  priceBlackScholesBatch(european, { price: analytic.value, ...analytic.greeks });
  const context: EuropeanReference = {
    european,
    american: americanPutSet(AMERICAN_SIZE),
    quotes: analytic.value,
    analytic,
  };

  const results: WorkloadResult[] = [];
  WORKLOADS.forEach((workload, index) => {
    if (only.length > 0 && !only.includes(workload.id)) return;
    const result = runWorkload(index, context);
    console.log(
      `  ${result.title}: ${result.rows.length} candidates, ${result.seconds.toFixed(1)} s, load ${loadAverage()}`,
    );
    results.push(result);
  });

  printDetail(results);
  printSummary(results);
  printLegend(results);
  console.log(`\nload average at end: ${loadAverage()}${Number.isNaN(checksum()) ? ' (a checksum was NaN)' : ''}`);
}

main();
