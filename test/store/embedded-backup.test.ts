import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQLITE_FILE_NAME, SqliteStore } from '../../src/store/sqlite-store.js';

describe('embedded store backup and restore (docs/RUNBOOK.md, "Backup and restore of the embedded file")', () => {
  it('copies the live database consistently, and a restored copy is the surface at the backup, history included', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ope-backup-'));
    try {
      const live = new SqliteStore(join(root, 'live'));
      const point = (volatility: number) => ({ strike: 100, maturity: 1, volatility, timestamp: 1, source: 'desk' });
      await live.points.upsert(point(0.2), { subject: 'a', now: new Date('2026-12-01T10:00:00Z') });
      await live.points.upsert(point(0.25), { subject: 'a', now: new Date('2026-12-01T11:00:00Z') });
      await live.documents.putIfAbsent('capsule', 'c1', '{"a":1}', {
        now: new Date('2026-12-01T11:00:00Z'),
        expiresAt: null,
      });
      mkdirSync(join(root, 'restored'));
      live.backup(join(root, 'restored', SQLITE_FILE_NAME));
      await live.points.upsert(point(0.3), { subject: 'a', now: new Date('2026-12-01T12:00:00Z') });
      await live.close();

      const restored = new SqliteStore(join(root, 'restored'));
      const now = await restored.points.current();
      assert.equal(now.version, 2);
      assert.deepEqual(now.points, [point(0.25)]);
      assert.deepEqual((await restored.points.asOf({ version: 1 }))?.points, [point(0.2)]);
      assert.equal((await restored.documents.get('capsule', 'c1', new Date()))?.body, '{"a":1}');
      await restored.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
