import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CoreError } from '../../../src/core/errors.js';
import { studentT975 } from '../../../src/core/math/student-t.js';

describe('studentT975', () => {
  it('matches the tabulated two-sided 95% quantiles of Student t to the table precision', () => {
    // Three-decimal quantiles t_{0.975, nu} as printed in Abramowitz and Stegun, Table 26.10, and in every
    // statistics text. Allowance: the table's rounding (5e-4) plus the series' own error at nu = 5 (2.7e-4).
    const table: [number, number][] = [
      [5, 2.571],
      [7, 2.365],
      [10, 2.228],
      [15, 2.131],
      [20, 2.086],
      [30, 2.042],
      [60, 2.0],
      [120, 1.98],
    ];
    for (const [nu, t] of table)
      assert.ok(Math.abs(studentT975(nu) - t) <= 8e-4, `nu ${nu}: ${studentT975(nu)} vs ${t}`);
  });

  it('tends to the normal quantile and refuses fewer than 5 degrees of freedom', () => {
    assert.ok(Math.abs(studentT975(1_000_000) - 1.959963984540054) < 1e-5);
    assert.throws(
      () => studentT975(4),
      (e: unknown) => e instanceof CoreError && e.param === 'degrees',
    );
  });
});
