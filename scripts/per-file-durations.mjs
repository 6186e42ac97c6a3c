// A node:test reporter that prints, per test file, the sum of its top-level tests' durations, longest first, and
// each failure as it happens. For finding what makes a tier slow:
//   OPE_TEST_REPORTER=./scripts/per-file-durations.mjs npm run test:unit
// (the sums leave out each file's module loading, which happens before its first test).
export default async function* perFileDurations(source) {
  const byFile = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { nesting, file, name, details } = event.data;
    if (nesting === 0 && file) byFile.set(file, (byFile.get(file) ?? 0) + details.duration_ms);
    if (event.type === 'test:fail') yield `FAIL ${file} ${name}\n`;
  }
  let total = 0;
  for (const [file, ms] of [...byFile].sort((a, b) => b[1] - a[1])) {
    total += ms;
    yield `${(ms / 1000).toFixed(1).padStart(7)} s  ${file.replace(`${process.cwd()}/`, '')}\n`;
  }
  yield `total ${(total / 1000).toFixed(1)} s over ${byFile.size} files\n`;
}
