'use strict';
// microtask-chain: N queueMicrotask callbacks, each queueing the next; the whole chain drains
// before the loop moves on. Metric: time_ms for the whole chain. Check: the chain finished before
// an immediate queued ahead of it.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/MicrotaskChain.java
const { run, nowNs } = require('./rounds');

function round(n, sample, done) {
  let count = 0;
  let chainOver = false;
  setImmediate(() => {
    sample.check('before_immediate', chainOver, `an immediate ran after ${count} of ${n} microtasks`);
    done();
  });
  const start = nowNs();
  function step() {
    if (++count < n) {
      queueMicrotask(step);
      return;
    }
    sample.metric('time_ms', (nowNs() - start) / 1e6);
    sample.check('callbacks', count === n, `ran ${count} of ${n}`);
    chainOver = true;
  }
  queueMicrotask(step);
}

run(round);
