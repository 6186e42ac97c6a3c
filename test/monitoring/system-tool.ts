import { spawnSync } from 'node:child_process';

/**
 * Tests that drive a Debian tool (promtool, amtool, nginx) run wherever the tool is installed. On a developer's
 * machine without it they are skipped with a loud message; in CI (`CI` set) they always run, so a missing tool
 * fails there instead of passing unnoticed.
 *
 * Returns the skip message, or false when the tests must run.
 */
export function skipUnlessInstalled(
  command: string,
  versionArgs: readonly string[],
  debianPackage: string,
  what: string,
): string | false {
  const probe = spawnSync(command, versionArgs, { encoding: 'utf8' });
  if (probe.error === undefined) return false;
  if (process.env.CI !== undefined && process.env.CI !== '') return false;
  const message = `${command} is not installed (apt-get install ${debianPackage}): ${what} did NOT run`;
  console.warn(`\n!!! ${message}\n`);
  return message;
}

export interface ToolRun {
  readonly status: number | null;
  /** The spawn error (e.g. ENOENT), stdout and stderr together, for assertion messages. */
  readonly output: string;
}

export function runTool(command: string, args: readonly string[], cwd: string): ToolRun {
  const run = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, output: `${run.error?.message ?? ''}${run.stdout ?? ''}${run.stderr ?? ''}` };
}
