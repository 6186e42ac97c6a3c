/*
 * A yardstick for BENCHMARKS.md, not part of the build: the textbook Black-Scholes-Merton price and five greeks
 * in scalar C (glibc's exp, log and erfc), over the bench:peers distribution, to place this machine against the
 * issue's reference point (scalar C, 69 ns per option). It has none of OPE's care for the tails.
 *
 *   gcc -O2 -o /tmp/textbook bench/peers/reference/textbook-black-scholes.c -lm && /tmp/textbook
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N 100000
#define ROUNDS 9

static double S[N], K[N], T[N], V[N], R[N], Q[N], P[N], D[N], G[N], TH[N], VE[N], RH[N];
static int C[N];
static uint32_t state = 20240611;

static double uniform(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state / 4294967296.0;
}

static double ncdf(double x) { return 0.5 * erfc(-x * M_SQRT1_2); }

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(void) {
  for (int i = 0; i < N; i++) {
    C[i] = uniform() < 0.5;
    S[i] = 50 + 100 * uniform();
    K[i] = 50 + 100 * uniform();
    T[i] = 0.05 + 2.95 * uniform();
    V[i] = 0.05 + 0.75 * uniform();
    R[i] = 0.08 * uniform();
    Q[i] = 0.03 * uniform();
  }
  double timings[ROUNDS];
  for (int round = 0; round < ROUNDS + 2; round++) {
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    for (int i = 0; i < N; i++) {
      double sq = sqrt(T[i]), sv = V[i] * sq;
      double d1 = (log(S[i] / K[i]) + (R[i] - Q[i] + 0.5 * V[i] * V[i]) * T[i]) / sv, d2 = d1 - sv;
      double dq = exp(-Q[i] * T[i]), dr = exp(-R[i] * T[i]);
      double pdf = exp(-0.5 * d1 * d1) * 0.3989422804014327;
      double n1 = ncdf(d1), n2 = ncdf(d2);
      double decay = -S[i] * dq * pdf * V[i] / (2 * sq);
      if (C[i]) {
        P[i] = S[i] * dq * n1 - K[i] * dr * n2;
        D[i] = dq * n1;
        TH[i] = decay + Q[i] * S[i] * dq * n1 - R[i] * K[i] * dr * n2;
        RH[i] = K[i] * T[i] * dr * n2;
      } else {
        P[i] = K[i] * dr * (1 - n2) - S[i] * dq * (1 - n1);
        D[i] = dq * (n1 - 1);
        TH[i] = decay - Q[i] * S[i] * dq * (1 - n1) + R[i] * K[i] * dr * (1 - n2);
        RH[i] = -K[i] * T[i] * dr * (1 - n2);
      }
      G[i] = dq * pdf / (S[i] * sv);
      VE[i] = S[i] * dq * pdf * sq;
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    if (round >= 2) timings[round - 2] = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / N;
  }
  qsort(timings, ROUNDS, sizeof timings[0], compare);
  printf("textbook C, price + 5 greeks: median %.1f ns/option (min %.1f, max %.1f); checksum %g\n",
         timings[ROUNDS / 2], timings[0], timings[ROUNDS - 1], P[N - 1] + G[7] + TH[11] + VE[13] + RH[17] + D[19]);
  return 0;
}
