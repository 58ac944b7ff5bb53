'use strict';
// worker-start: N workers, one after another, each a worker whose code posts one message to its
// parent; the clock runs from just before `new Worker` to that message's 'message' event in the
// parent, and the next worker starts after the previous one's 'exit'. Metrics: first_message_ms
// (the median over the round's N workers) and starts_per_s (N over the round). Checks: every
// worker's message arrived and every worker exited with 0.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/WorkerStart.java
const { Worker } = require('worker_threads');
const { run, nowNs } = require('./rounds');

const CODE = "require('worker_threads').parentPort.postMessage(1)";

function round(n, sample, done) {
  const ms = new Float64Array(n);
  const roundStart = nowNs();
  let messages = 0;
  let badExits = 0;
  function start(i) {
    if (i === n) {
      const ns = nowNs() - roundStart;
      const sorted = Float64Array.from(ms).sort();
      const mid = sorted.length >> 1;
      sample.metric('first_message_ms', sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
      sample.metric('starts_per_s', n / (ns / 1e9));
      sample.check('messages', messages === n, `${messages} of ${n} first messages arrived`);
      sample.check('exit_codes', badExits === 0, `${badExits} workers exited with a non-zero code`);
      done();
      return;
    }
    const t0 = nowNs();
    const w = new Worker(CODE, { eval: true });
    w.once('message', () => {
      ms[i] = (nowNs() - t0) / 1e6;
      messages++;
    });
    w.once('exit', (c) => {
      if (c !== 0) badExits++;
      start(i + 1);
    });
  }
  start(0);
}

run(round);
