import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';
import { CONNECTION_PRAGMAS, commitGroup, type PutOutcome, type PutRequest } from './sqlite-documents.js';

/**
 * The embedded store's writer thread (src/store/sqlite-store.ts, "group commit"): its own connection to the file,
 * so a commit's fsync blocks this thread, not the service's event loop. Every batch that arrived while the previous
 * commit was running goes into the next one. Messages in: {seq, puts} and 'close'; out: {seq, outcomes}, 'closed'.
 */

export interface WriterBatch {
  readonly seq: number;
  readonly puts: readonly PutRequest[];
}
export interface WriterDone {
  readonly seq: number;
  readonly outcomes: readonly PutOutcome[];
}

const port = parentPort!;
const db = new DatabaseSync((workerData as { path: string }).path);
db.exec(CONNECTION_PRAGMAS);

let queued: WriterBatch[] = [];
let scheduled = false;

function commitQueued(): void {
  scheduled = false;
  const batches = queued;
  queued = [];
  if (batches.length === 0) return;
  const outcomes = commitGroup(
    db,
    batches.flatMap((b) => b.puts),
  );
  let at = 0;
  for (const batch of batches) {
    const done: WriterDone = { seq: batch.seq, outcomes: outcomes.slice(at, at + batch.puts.length) };
    at += batch.puts.length;
    port.postMessage(done);
  }
}

port.on('message', (message: WriterBatch | 'close') => {
  if (message === 'close') {
    commitQueued();
    db.close();
    port.postMessage('closed');
    port.close();
    return;
  }
  queued.push(message);
  if (!scheduled) {
    scheduled = true;
    setImmediate(commitQueued);
  }
});
