import { hash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

/**
 * Request hash, lineage, Monte Carlo seed and capsule id (docs/api.md, "Seeds, capsules, idempotency"). All are
 * SHA-256 over canonical JSON, so they depend on what a request means, not on how its JSON was spelled.
 */

const INT63_MASK = (1n << 63n) - 1n;

/** One-shot crypto.hash: a third of createHash().update().digest()'s cost on the short texts hashed per quote. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** "<SEED_PREFIX upper-cased>:<index>" when a prefix is given, else "<request hash>:<index>". */
export function seedLineage(seedPrefix: string | undefined, hash: string, index: number): string {
  return `${seedPrefix === undefined ? hash : seedPrefix.toUpperCase()}:${index}`;
}

/** The Monte Carlo seed of a lineage: the first 63 bits of its SHA-256. */
export function seedFromLineage(lineage: string): bigint {
  return hash('sha256', lineage, 'buffer').readBigUInt64BE(0) & INT63_MASK;
}

export interface CapsuleIdentity {
  /** The canonical JSON of the normalised request (computed once per quote, shared with the request hash). */
  readonly requestText: string;
  readonly modelUsed: object;
  readonly surfaceId: string | null;
  readonly lineage: string;
  readonly buildId: string;
}

/**
 * SHA-256 of one canonical array of the five parts, [request, model_used, surface id or "", lineage, build id], so
 * no part can run into the next. Written from the request's canonical text rather than re-serialising it.
 */
export function capsuleId(identity: CapsuleIdentity): string {
  const { requestText, modelUsed, surfaceId, lineage, buildId } = identity;
  return sha256Hex(
    `[${requestText},${canonicalJson(modelUsed)},${JSON.stringify(surfaceId ?? '')},${JSON.stringify(lineage)},${JSON.stringify(buildId)}]`,
  );
}

/** The store key of an idempotency record: the key is scoped to the client (token subject) that sent it. */
export function idempotencyRecordId(subject: string, key: string): string {
  return sha256Hex(canonicalJson([subject, key]));
}
