/**
 * Joe-Kuo Sobol direction numbers, file new-joe-kuo-6.21201 of S. Joe and F. Y. Kuo, "Constructing Sobol
 * sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30 (2008) 2635-2654, published at
 * https://web.maths.unsw.edu.au/~fkuo/sobol/ (rows copied from the table as shipped in public repositories).
 *
 * Only dimensions 2..10 are kept (dimension 1 is the van der Corput sequence and has no row): the European
 * estimator uses one dimension (the terminal value of geometric Brownian motion is one normal), and the
 * generator is checked against an independent implementation on dimensions 1..10 (docs/numerics.md).
 * Each row: d (dimension), s (degree of the primitive polynomial), a (its inner coefficients as an integer),
 * m (the s initial direction integers m_1 .. m_s).
 */
export interface JoeKuoRow {
  readonly d: number;
  readonly s: number;
  readonly a: number;
  readonly m: readonly number[];
}

export const JOE_KUO_6_21201_ROWS: readonly JoeKuoRow[] = [
  { d: 2, s: 1, a: 0, m: [1] },
  { d: 3, s: 2, a: 1, m: [1, 3] },
  { d: 4, s: 3, a: 1, m: [1, 3, 1] },
  { d: 5, s: 3, a: 2, m: [1, 1, 1] },
  { d: 6, s: 4, a: 1, m: [1, 1, 3, 3] },
  { d: 7, s: 4, a: 4, m: [1, 3, 5, 13] },
  { d: 8, s: 5, a: 2, m: [1, 1, 5, 5, 17] },
  { d: 9, s: 5, a: 4, m: [1, 1, 5, 5, 5] },
  { d: 10, s: 5, a: 7, m: [1, 1, 7, 11, 19] },
];
