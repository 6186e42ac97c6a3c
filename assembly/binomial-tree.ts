/**
 * The backward induction of src/core/engines/binomial-tree.ts (`rollback`) in WebAssembly SIMD, two nodes per
 * f64x2 vector. The node tables and every node value are formed by the TypeScript code's operations in its order
 * (no fused multiply-add exists in WebAssembly), so the results equal the TypeScript ones to the bit.
 *
 * Memory (addresses from the caller): rowFactors[n + 1], columnFactors[n + 6], values[n + 6] (the vector loops
 * run up to five nodes past the last valid one); results go to `out`: value, then the step-1 nodes (2), then the
 * step-2 nodes (3).
 */

/**
 * Rolls a recombining lattice of `steps` steps back to its root. omegaSpot is omega * S0 and omegaStrike
 * omega * K (omega = 1 for a call, -1 for a put); pu and pd are the discounted branch probabilities.
 */
export function binomialRollback(
  rowFactors: usize,
  columnFactors: usize,
  values: usize,
  out: usize,
  steps: i32,
  omegaSpot: f64,
  omegaStrike: f64,
  up: f64,
  down: f64,
  pu: f64,
  pd: f64,
  american: bool,
): f64 {
  const n = steps;
  const c = n >> 1;
  // Node (i, j) has spot rowFactors[i] * columnFactors[j]; both tables centred on c (see binomial-tree.ts).
  let spotUpC = omegaSpot;
  for (let k = 0; k < c; k++) spotUpC *= up;
  const ratio = up / down;
  const inverseDown = 1 / down;
  const inverseRatio = 1 / ratio;
  store<f64>(rowFactors + ((<usize>c) << 3), spotUpC);
  store<f64>(columnFactors + ((<usize>c) << 3), 1);
  for (let k = c + 1; k <= n; k++) {
    store<f64>(rowFactors + ((<usize>k) << 3), load<f64>(rowFactors + ((<usize>(k - 1)) << 3)) * down);
    store<f64>(columnFactors + ((<usize>k) << 3), load<f64>(columnFactors + ((<usize>(k - 1)) << 3)) * ratio);
  }
  for (let k = c - 1; k >= 0; k--) {
    store<f64>(rowFactors + ((<usize>k) << 3), load<f64>(rowFactors + ((<usize>(k + 1)) << 3)) * inverseDown);
    store<f64>(columnFactors + ((<usize>k) << 3), load<f64>(columnFactors + ((<usize>(k + 1)) << 3)) * inverseRatio);
  }
  // The vector loops below read up to five nodes past the last valid one: give them finite values.
  for (let k = n + 1; k <= n + 5; k++) {
    store<f64>(columnFactors + ((<usize>k) << 3), 0);
    store<f64>(values + ((<usize>k) << 3), 0);
  }

  const strike = f64x2.splat(omegaStrike);
  const zero = f64x2.splat(0);
  // Terminal payoffs max(omega (S - K), 0), as `payoff > 0 ? payoff : 0`: pmax(0, payoff) = 0 < payoff ? payoff : 0.
  const terminalRow = f64x2.splat(load<f64>(rowFactors + ((<usize>n) << 3)));
  for (let j = 0; j <= n; j += 2) {
    const offset = (<usize>j) << 3;
    const payoff = f64x2.sub(f64x2.mul(terminalRow, v128.load(columnFactors + offset)), strike);
    v128.store(values + offset, f64x2.pmax(zero, payoff));
  }

  if (n === 2) saveStep2(values, out);
  const up2 = f64x2.splat(pu);
  const down2 = f64x2.splat(pd);
  let i = n - 1;
  // American: two steps per sweep while both lie above step 2, whose nodes are saved on the way.
  if (american) {
    for (; i - 1 >= 3; i -= 2) {
      rollTwoStepsWithExercise(
        values,
        columnFactors,
        i,
        load<f64>(rowFactors + ((<usize>i) << 3)),
        load<f64>(rowFactors + ((<usize>(i - 1)) << 3)),
        strike,
        up2,
        down2,
      );
    }
  }
  for (; i >= 1; i--) {
    if (american)
      rollStepWithExercise(values, columnFactors, i, load<f64>(rowFactors + ((<usize>i) << 3)), strike, up2, down2);
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
    const offset = (<usize>j) << 3;
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
function rollStepWithExercise(
  values: usize,
  columnFactors: usize,
  i: i32,
  rowValue: f64,
  strike: v128,
  up2: v128,
  down2: v128,
): void {
  const row = f64x2.splat(rowValue);
  for (let j = 0; j <= i; j += 4) {
    const offset = (<usize>j) << 3;
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

/**
 * Steps i and i - 1 with early exercise in one sweep: each node of step i is computed as rollStepWithExercise
 * computes it and used at once for step i - 1, so every value is loaded and stored once per two steps instead of
 * once per step. The same operations on the same operands as two single steps, hence the same doubles. Writes
 * nodes 0..i of the values (node i is past the end of step i - 1).
 */
function rollTwoStepsWithExercise(
  values: usize,
  columnFactors: usize,
  i: i32,
  rowLater: f64,
  rowEarlier: f64,
  strike: v128,
  up2: v128,
  down2: v128,
): void {
  const later = f64x2.splat(rowLater);
  const earlier = f64x2.splat(rowEarlier);
  // Step i nodes (j, j + 1) and (j + 2, j + 3), with their column factors, carried from block to block.
  let factors = v128.load(columnFactors);
  let factorsNext = v128.load(columnFactors, 16);
  let nodes = f64x2.pmax(
    f64x2.sub(f64x2.mul(later, factors), strike),
    f64x2.add(f64x2.mul(down2, v128.load(values)), f64x2.mul(up2, v128.load(values, 8))),
  );
  let nodesNext = f64x2.pmax(
    f64x2.sub(f64x2.mul(later, factorsNext), strike),
    f64x2.add(f64x2.mul(down2, v128.load(values, 16)), f64x2.mul(up2, v128.load(values, 24))),
  );
  for (let j = 0; j <= i - 1; j += 2) {
    const offset = (<usize>j) << 3;
    // Step i nodes j + 4, j + 5 from step i + 1 nodes j + 4 .. j + 6, not yet overwritten.
    const factorsNew = v128.load(columnFactors + offset, 32);
    const nodesNew = f64x2.pmax(
      f64x2.sub(f64x2.mul(later, factorsNew), strike),
      f64x2.add(f64x2.mul(down2, v128.load(values + offset, 32)), f64x2.mul(up2, v128.load(values + offset, 40))),
    );
    // Step i - 1 nodes j, j + 1 from step i nodes j .. j + 2.
    const upper = i8x16.shuffle(nodes, nodesNext, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
    v128.store(
      values + offset,
      f64x2.pmax(
        f64x2.sub(f64x2.mul(earlier, factors), strike),
        f64x2.add(f64x2.mul(down2, nodes), f64x2.mul(up2, upper)),
      ),
    );
    nodes = nodesNext;
    nodesNext = nodesNew;
    factors = factorsNext;
    factorsNext = factorsNew;
  }
}

function saveStep2(values: usize, out: usize): void {
  store<f64>(out, load<f64>(values), 24);
  store<f64>(out, load<f64>(values, 8), 32);
  store<f64>(out, load<f64>(values, 16), 40);
}
