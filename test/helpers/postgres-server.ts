import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster for one test file: initdb in a temp directory, loopback only, a free port, trust
 * authentication, removed by close(). Debian's postgresql package provides the binaries; initdb and postgres
 * refuse to run as root, so as root (CI) the directory is handed to the `postgres` user and every command runs as
 * that user through runuser. The server is controlled by its data directory (pg_ctl), never by process name.
 *
 *   const server = await startPostgres();   // or skip: see postgresSkipReason()
 *   server.url;                              // postgres://postgres@127.0.0.1:<port>/postgres
 *   await server.stop();                     // an outage: connections refused
 *   await server.start();                    // back, same port, same data
 *   server.pause();                          // hung: connections open, nothing answered (SIGSTOP); resume() ends it
 *   await server.close();
 */

const BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

function binDir(): string | null {
  return BIN_DIRS.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) ?? null;
}

/**
 * The reason the PostgreSQL tests cannot run here (printed loudly), or false when they must run. In CI (`CI` set)
 * they always run, so missing binaries fail there instead of passing unnoticed.
 */
export function postgresSkipReason(): string | false {
  if (binDir() !== null) return false;
  if (process.env.CI !== undefined && process.env.CI !== '') return false;
  const message = `PostgreSQL binaries not found in ${BIN_DIRS.join(', ')} (apt-get install postgresql): the PostgreSQL store tests did NOT run`;
  console.warn(`\n!!! ${message}\n`);
  return message;
}

export interface PostgresServer {
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** Fast shutdown: clients are disconnected, new connections refused. */
  stop(): Promise<void>;
  /** SIGSTOP to the server and its backends (by pid, from postmaster.pid): a hung database, connections still open. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Runs SQL as the superuser on a fresh connection (for test set-up and inspection). */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<T>>;
  /** A new empty database on this cluster; returns its URL. */
  createDatabase(name: string): Promise<string>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const asRoot = process.getuid?.() === 0;

/** The postmaster's pid and its children's (every backend of the cluster), read from /proc. */
/**
 * Sends a signal to a process of the cluster, unless it has exited since the list was read (a backend whose client
 * disconnected): that one has nothing left to stop or wake, and ESRCH there is not a failure.
 */
function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function clusterPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may contain spaces, so split after ')'.
        const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ');
        return Number(fields?.[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

function run(bin: string, args: readonly string[]): void {
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, [...args]];
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0)
    throw new Error(
      `${bin} ${args.join(' ')} failed (${result.status}): ${result.error?.message ?? ''}${result.stdout}${result.stderr}`,
    );
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  if (bin === null) throw new Error('PostgreSQL binaries not found (apt-get install postgresql)');
  const root = mkdtempSync(join(tmpdir(), 'ope-pg-'));
  const dataDir = join(root, 'data');
  if (asRoot) {
    spawnSync('chown', ['postgres:postgres', root]);
    chmodSync(root, 0o700);
  }
  run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = false;

  const server: PostgresServer = {
    url,
    port,
    async start() {
      if (running) return;
      run(join(bin, 'pg_ctl'), [
        '-D',
        dataDir,
        '-l',
        join(root, 'server.log'),
        '-w',
        '-t',
        '30',
        '-o',
        `-p ${port} -h 127.0.0.1 -k ${root} -c fsync=on`,
        'start',
      ]);
      running = true;
    },
    async stop() {
      if (!running) return;
      run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      running = false;
    },
    pause() {
      for (const pid of clusterPids(dataDir)) signalIfAlive(pid, 'SIGSTOP');
    },
    resume() {
      for (const pid of clusterPids(dataDir)) signalIfAlive(pid, 'SIGCONT');
    },
    async query(sql, params) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await client.query(sql, params);
      } finally {
        await client.end();
      }
    },
    async createDatabase(name) {
      await server.query(`CREATE DATABASE ${name}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async close() {
      if (running) {
        try {
          run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
        } catch {
          // already gone
        }
        running = false;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
