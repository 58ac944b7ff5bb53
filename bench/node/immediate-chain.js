'use strict';
// immediate-chain: N setImmediate callbacks, each scheduling the next, so one runs per loop
// iteration (check phase). Metric: time_ms for the whole chain.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ImmediateChain.java
const { run, nowNs } = require('./rounds');

function round(n, sample, done) {
  const start = nowNs();
  let count = 0;
  function step() {
    if (++count < n) {
      setImmediate(step);
      return;
    }
    sample.metric('time_ms', (nowNs() - start) / 1e6);
    sample.check('callbacks', count === n, `ran ${count} of ${n}`);
    done();
  }
  setImmediate(step);
}

run(round);
