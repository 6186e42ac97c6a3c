/**
 * Builds an error without capturing a stack trace. For refusals that are expected traffic, not defects (a pool
 * shedding an overload answers hundreds of them a second): V8 captures the stack when an Error is constructed,
 * which costs more than the refusal's own logic, and nobody reads a refusal's stack.
 */
export function withoutStackTrace<T extends Error>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
