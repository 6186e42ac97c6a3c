/**
 * The backward induction of src/core/engines/binomial-tree.ts (`rollback`) in WebAssembly SIMD, two nodes per
 * f64x2 vector. The node tables and every node value are formed by the TypeScript code's operations in its order
 * (no fused multiply-add exists in WebAssembly), so the results equal the TypeScript ones to the bit.
 *
 * Memory (addresses from the caller): rowFactors[n + 1], columnFactors[n + 4], values[n + 4] (the vector loops
 * run up to three nodes past the last valid one); results go to `out`: value, then the step-1 nodes (2), then the
 * step-2 nodes (3).
 */

/**
 * Rolls a recombining lattice of `steps` steps back to its root. omegaSpot is omega * S0 and omegaStrike
 * omega * K (omega = 1 for a call, -1 for a put); pu and pd are the discounted branch probabilities.
 */
export function binomialRollback(
  rowFactors: usize, columnFactors: usize, values: usize, out: usize,
  steps: i32, omegaSpot: f64, omegaStrike: f64, up: f64, down: f64, pu: f64, pd: f64, american: bool,
): f64 {
  const n = steps;
  const c = n >> 1;
  // Node (i, j) has spot rowFactors[i] * columnFactors[j]; both tables centred on c (see binomial-tree.ts).
  let spotUpC = omegaSpot;
  for (let k = 0; k < c; k++) spotUpC *= up;
  const ratio = up / down;
  const inverseDown = 1 / down;
  const inverseRatio = 1 / ratio;
  store<f64>(rowFactors + (<usize>c << 3), spotUpC);
  store<f64>(columnFactors + (<usize>c << 3), 1);
  for (let k = c + 1; k <= n; k++) {
    store<f64>(rowFactors + (<usize>k << 3), load<f64>(rowFactors + (<usize>(k - 1) << 3)) * down);
    store<f64>(columnFactors + (<usize>k << 3), load<f64>(columnFactors + (<usize>(k - 1) << 3)) * ratio);
  }
  for (let k = c - 1; k >= 0; k--) {
    store<f64>(rowFactors + (<usize>k << 3), load<f64>(rowFactors + (<usize>(k + 1) << 3)) * inverseDown);
    store<f64>(columnFactors + (<usize>k << 3), load<f64>(columnFactors + (<usize>(k + 1) << 3)) * inverseRatio);
  }
  // The vector loops below read up to three nodes past the last valid one: give them finite values.
  for (let k = n + 1; k <= n + 3; k++) {
    store<f64>(columnFactors + (<usize>k << 3), 0);
    store<f64>(values + (<usize>k << 3), 0);
  }

  const strike = f64x2.splat(omegaStrike);
  const zero = f64x2.splat(0);
  // Terminal payoffs max(omega (S - K), 0), as `payoff > 0 ? payoff : 0`: pmax(0, payoff) = 0 < payoff ? payoff : 0.
  const terminalRow = f64x2.splat(load<f64>(rowFactors + (<usize>n << 3)));
  for (let j = 0; j <= n; j += 2) {
    const offset = <usize>j << 3;
    const payoff = f64x2.sub(f64x2.mul(terminalRow, v128.load(columnFactors + offset)), strike);
    v128.store(values + offset, f64x2.pmax(zero, payoff));
  }

  if (n === 2) saveStep2(values, out);
  const up2 = f64x2.splat(pu);
  const down2 = f64x2.splat(pd);
  for (let i = n - 1; i >= 1; i--) {
    if (american) rollStepWithExercise(values, columnFactors, i, load<f64>(rowFactors + (<usize>i << 3)), strike, up2, down2);
    else rollStep(values, i, up2, down2);
    if (i === 2) saveStep2(values, out);
  }
  const v0 = load<f64>(values);
  const v1 = load<f64>(values, 8);
  store<f64>(out, v0, 8);
  store<f64>(out, v1, 16);
  // The root is exercised against the exact spot.
  const continuation = pd * v0 + pu * v1;
  const exercise = omegaSpot - omegaStrike;
  const value = american && exercise > continuation ? exercise : continuation;
  store<f64>(out, value);
  return value;
}

/**
 * Nodes 0..i of step i from nodes 0..i + 1 of step i + 1, by continuation pd * lower + pu * upper. Four nodes per
 * iteration (two independent vectors), so up to three nodes past i are rewritten: they lie past the end of every
 * later step.
 */
function rollStep(values: usize, i: i32, up2: v128, down2: v128): void {
  for (let j = 0; j <= i; j += 4) {
    const offset = <usize>j << 3;
    const lower = v128.load(values + offset);
    const middle = v128.load(values + offset + 8);
    const upper = v128.load(values + offset + 16);
    const top = v128.load(values + offset + 24);
    v128.store(values + offset, f64x2.add(f64x2.mul(down2, lower), f64x2.mul(up2, middle)));
    v128.store(values + offset + 16, f64x2.add(f64x2.mul(down2, upper), f64x2.mul(up2, top)));
  }
}

/**
 * rollStep with early exercise at every node: the exercise value row * columnFactor - omega K, kept when it is at
 * least the continuation (`continuation > exercise ? continuation : exercise`, which pmax(exercise, continuation)
 * = exercise < continuation ? continuation : exercise is exactly). Skipping the exercise value where it cannot
 * pay (out of the money) was tried: the branch it needs costs more than the arithmetic it saves.
 */
function rollStepWithExercise(values: usize, columnFactors: usize, i: i32, rowValue: f64, strike: v128, up2: v128, down2: v128): void {
  const row = f64x2.splat(rowValue);
  for (let j = 0; j <= i; j += 4) {
    const offset = <usize>j << 3;
    const lower = v128.load(values + offset);
    const middle = v128.load(values + offset + 8);
    const upper = v128.load(values + offset + 16);
    const top = v128.load(values + offset + 24);
    const continuation0 = f64x2.add(f64x2.mul(down2, lower), f64x2.mul(up2, middle));
    const continuation1 = f64x2.add(f64x2.mul(down2, upper), f64x2.mul(up2, top));
    const exercise0 = f64x2.sub(f64x2.mul(row, v128.load(columnFactors + offset)), strike);
    const exercise1 = f64x2.sub(f64x2.mul(row, v128.load(columnFactors + offset + 16)), strike);
    v128.store(values + offset, f64x2.pmax(exercise0, continuation0));
    v128.store(values + offset + 16, f64x2.pmax(exercise1, continuation1));
  }
}

function saveStep2(values: usize, out: usize): void {
  store<f64>(out, load<f64>(values), 24);
  store<f64>(out, load<f64>(values, 8), 32);
  store<f64>(out, load<f64>(values, 16), 40);
}
