import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite-store.js';

/**
 * The embedded store group-commits document puts (src/store/sqlite-store.ts): puts made in one event-loop turn share
 * a transaction, and each is answered only after that transaction committed, so an answered put survives kill -9.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NOW = new Date('2026-12-01T10:00:00.000Z');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ope-group-commit-'));
}

for (const writerThread of [true, false])
  describe(`embedded store: group commit of document puts, ${writerThread ? 'on the writer thread' : 'on the event loop'}`, () => {
    it('commits many concurrent puts, each answered as inserted once, all there after reopening', async () => {
      const dir = tempDir();
      try {
        const store = new SqliteStore(dir, { writerThread });
        const ids = Array.from({ length: 500 }, (_, i) => `id-${i % 400}`);
        const results = await Promise.all(
          ids.map((id, i) => store.documents.putIfAbsent('capsule', id, `{"n":${i}}`, { now: NOW, expiresAt: null })),
        );
        // The first put of each id inserts; the repeats later in the same group see it.
        for (let i = 0; i < ids.length; i++) {
          assert.equal(results[i]!.inserted, i < 400, `put ${i}`);
          assert.equal(results[i]!.record.body, `{"n":${i % 400}}`);
        }
        await store.close();
        const reopened = new SqliteStore(dir, { writerThread });
        for (let i = 0; i < 400; i++)
          assert.equal((await reopened.documents.get('capsule', `id-${i}`, NOW))?.body, `{"n":${i}}`);
        await reopened.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('does not answer a put before the turn that made it has ended (the group is committed after)', async () => {
      const dir = tempDir();
      try {
        const store = new SqliteStore(dir, { writerThread });
        let settled = false;
        const put = store.documents
          .putIfAbsent('capsule', 'a', '{}', { now: NOW, expiresAt: null })
          .then(() => (settled = true));
        await Promise.resolve();
        await Promise.resolve();
        assert.equal(settled, false);
        assert.equal(await store.documents.get('capsule', 'a', NOW), null, 'not visible before its commit');
        await put;
        assert.notEqual(await store.documents.get('capsule', 'a', NOW), null);
        await store.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('fails only the put that cannot be written, not the others of its group', async () => {
      const dir = tempDir();
      try {
        const store = new SqliteStore(dir, { writerThread });
        const options = { now: NOW, expiresAt: null };
        const [before, bad, after] = await Promise.allSettled([
          store.documents.putIfAbsent('capsule', 'before', '1', options),
          // A value SQLite cannot bind: the statement throws inside the group's transaction.
          store.documents.putIfAbsent('capsule', { not: 'a string' } as unknown as string, '2', options),
          store.documents.putIfAbsent('capsule', 'after', '3', options),
        ]);
        assert.equal(before.status, 'fulfilled');
        assert.equal(bad.status, 'rejected');
        assert.equal(after.status, 'fulfilled');
        await store.close();
        const reopened = new SqliteStore(dir, { writerThread });
        assert.equal((await reopened.documents.get('capsule', 'before', NOW))?.body, '1');
        assert.equal((await reopened.documents.get('capsule', 'after', NOW))?.body, '3');
        await reopened.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('close() commits the puts still waiting for their group; puts after close are refused', async () => {
      const dir = tempDir();
      try {
        const store = new SqliteStore(dir, { writerThread });
        const waiting = Array.from({ length: 10 }, (_, i) =>
          store.documents.putIfAbsent('capsule', `w${i}`, String(i), { now: NOW, expiresAt: null }),
        );
        await store.close();
        for (const put of waiting) assert.equal((await put).inserted, true);
        await assert.rejects(store.documents.putIfAbsent('capsule', 'late', '0', { now: NOW, expiresAt: null }));
        const reopened = new SqliteStore(dir, { writerThread });
        for (let i = 0; i < 10; i++)
          assert.equal((await reopened.documents.get('capsule', `w${i}`, NOW))?.body, String(i));
        await reopened.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('every put answered before kill -9 is in the file after it', async () => {
      const dir = tempDir();
      try {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'test/store/fixtures/put-forever.ts', dir, writerThread ? 'thread' : 'inline'],
          {
            cwd: ROOT,
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        // 'close': the process has exited and its stdout is drained, so every line it wrote has been read.
        const closed = new Promise<NodeJS.Signals | null>((resolve) =>
          child.once('close', (_code, signal) => resolve(signal)),
        );
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        const answered: string[] = [];
        let partial = '';
        child.stdout.on('data', (chunk: Buffer) => {
          const lines = (partial + chunk.toString('utf8')).split('\n');
          partial = lines.pop()!;
          for (const line of lines) if (line.startsWith('ok ')) answered.push(line.slice(3));
          // Well into the writing, and in the middle of it: the child is putting the next waves right now.
          if (answered.length >= 2000 && child.signalCode === null) child.kill('SIGKILL');
        });
        assert.equal(await closed, 'SIGKILL', `the writer was not killed: ${stderr}`);
        assert.ok(answered.length >= 2000);

        const reopened = new SqliteStore(dir, { writerThread });
        const missing = [];
        for (const id of answered)
          if ((await reopened.documents.get('capsule', id, new Date())) === null) missing.push(id);
        await reopened.close();
        assert.deepEqual(missing, [], `${missing.length} of ${answered.length} answered puts lost`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

describe('embedded store: a writer thread that dies', () => {
  it('loses no put: the ones it held, and later ones, are committed on the event loop', async () => {
    const dir = tempDir();
    try {
      const store = new SqliteStore(dir, {
        writerThreadFile: new URL('./fixtures/dying-writer-thread.ts', import.meta.url),
      });
      const options = { now: NOW, expiresAt: null };
      const held = await Promise.all(
        Array.from({ length: 5 }, (_, i) => store.documents.putIfAbsent('capsule', `held-${i}`, String(i), options)),
      );
      for (const r of held) assert.equal(r.inserted, true);
      const later = await store.documents.putIfAbsent('capsule', 'later', 'x', options);
      assert.equal(later.inserted, true);
      await store.close();
      const reopened = new SqliteStore(dir);
      for (let i = 0; i < 5; i++)
        assert.equal((await reopened.documents.get('capsule', `held-${i}`, NOW))?.body, String(i));
      assert.equal((await reopened.documents.get('capsule', 'later', NOW))?.body, 'x');
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
