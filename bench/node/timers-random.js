'use strict';
// timers-random: N setTimeout calls with delays of 0..100 ms drawn from xorshift32 (the same
// 32-bit sequence as the Herd twin), all made in one go. Metrics:
//   schedule_ms      time to make the N setTimeout calls
//   lateness_p50_ms  median of (fire time - (call time + delay)); delay 0 counts as 1 ms, the delay
//   lateness_p99_ms  both Node and Herd actually use. Nearest-rank percentiles.
//   overhead_ms      time from the first call until the last timer fired, minus the largest delay
// Call times are read once per CLOCK_STRIDE calls, so that reading the clock (about 60 ns in
// Node, 25 ns in Java) stays out of schedule_ms; a call time is thus early by at most the time of
// CLOCK_STRIDE - 1 setTimeout calls (some microseconds), which makes lateness that much larger.
// Lateness may be negative: both runtimes start a timer at the loop's cached "now", which lags
// the clock while a long callback (this one) runs.
// Checks: the PRNG matches Marsaglia's reference value and the Herd twin's sequence; every timer
// fired exactly once; timers with equal delays fired in the order they were made (Node's
// per-duration lists are FIFO).
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/TimersRandom.java
const { run, nowNs } = require('./rounds');

const MAX_DELAY = 100;
const CLOCK_STRIDE = 64;
const SEED = 2463534242 | 0;

// Marsaglia's xorshift32 (13, 17, 5) on int32 values; returns the new state.
function xorshift32(x) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x | 0;
}

function delays(n) {
  const d = new Int32Array(n);
  let x = SEED;
  for (let i = 0; i < n; i++) {
    x = xorshift32(x);
    d[i] = (x >>> 0) % (MAX_DELAY + 1);
  }
  return d;
}

// Sum of delay[i] * (i + 1) over the first 1000 delays: equal in both twins only if their
// sequences are bit-identical (about half the states are negative as int32, which tests the
// unsigned remainder).
const PRNG_FINGERPRINT = 25313533;

function fingerprint() {
  const d = delays(1000);
  let sum = 0;
  for (let i = 0; i < d.length; i++) sum += d[i] * (i + 1);
  return sum;
}

function percentile(sorted, p) {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function round(n, sample, done) {
  sample.check('prng', (xorshift32(SEED) >>> 0) === 723471715 && fingerprint() === PRNG_FINGERPRINT,
    `xorshift32(${SEED >>> 0}) = ${xorshift32(SEED) >>> 0}, fingerprint ${fingerprint()}`);
  const delay = delays(n);
  const calledAt = new Float64Array(n);
  const firedAt = new Float64Array(n);
  const order = new Int32Array(n).fill(-1);
  let fired = 0;
  let firedTwice = 0;

  function fire(i) {
    firedAt[i] = nowNs();
    if (order[i] !== -1) firedTwice++;
    order[i] = fired++;
    if (fired === n) finish(firedAt[i]);
  }

  const start = nowNs();
  let callTime = start;
  for (let i = 0; i < n; i++) {
    if (i % CLOCK_STRIDE === 0) callTime = nowNs();
    calledAt[i] = callTime;
    setTimeout(() => fire(i), delay[i]);
  }
  const scheduleNs = nowNs() - start;

  function finish(lastFire) {
    const lateness = new Float64Array(n);
    const lastOrder = new Int32Array(MAX_DELAY + 1).fill(-1);
    let maxDelay = 0;
    let outOfOrder = 0;
    for (let i = 0; i < n; i++) {
      const effective = Math.max(1, delay[i]);
      maxDelay = Math.max(maxDelay, effective);
      lateness[i] = (firedAt[i] - calledAt[i]) / 1e6 - effective;
      if (order[i] < lastOrder[delay[i]]) outOfOrder++;
      lastOrder[delay[i]] = order[i];
    }
    lateness.sort();
    sample.metric('schedule_ms', scheduleNs / 1e6);
    sample.metric('lateness_p50_ms', percentile(lateness, 0.5));
    sample.metric('lateness_p99_ms', percentile(lateness, 0.99));
    sample.metric('overhead_ms', (lastFire - start) / 1e6 - maxDelay);
    sample.check('fired_once', fired === n && firedTwice === 0, `${fired} fired for ${n} timers, ${firedTwice} twice`);
    sample.check('same_delay_fifo', outOfOrder === 0, `${outOfOrder} timers fired before an earlier one of equal delay`);
    done();
  }
}

run(round);
