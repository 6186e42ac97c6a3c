/**
 * What the pool needs of an abort signal: whether it fired, why, and one 'abort' listener at a time. Node's
 * AbortSignal satisfies it, and so does piscina's signal option (its AbortSignalEventTarget), so the pool can hand
 * an AbortHandle to piscina for every chunk it dispatches.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A one-shot abort signal with at most one listener, its own controller. Why not AbortController: a chunk on the
 * pool, or a request that may leave, has exactly one party listening, and Node's AbortController brings an
 * EventTarget with its Map and listener records for each, which V8 kept alive past young collections under load.
 * Without any signal a single monte_carlo_20k request took about a tenth less CPU; with AbortHandles about 5 % less
 * than with AbortControllers (bench/results/2026-11-29-measurement-notes.md, "HTTP").
 */
export class AbortHandle implements AbortSignalLike {
  #aborted = false;
  #reason: unknown = undefined;
  #listener: (() => void) | null = null;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** Replaces any earlier listener: there is one party per handle. It is called at most once. */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.#aborted) this.#listener = listener;
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.#listener === listener) this.#listener = null;
  }

  /** Fires once; later calls change nothing. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listener = this.#listener;
    this.#listener = null;
    listener?.();
  }
}
