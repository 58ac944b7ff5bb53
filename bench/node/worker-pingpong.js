'use strict';
// worker-pingpong: N sequential postMessage round trips between the main thread and one worker
// that echoes every message; the message is the round trip's number. The worker is started and
// online before the clock starts, and terminated after it stops. Metrics: roundtrips_per_s and
// rtt_us (the mean). Checks: every echo carried the number just sent.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/WorkerPingpong.java
const { Worker } = require('worker_threads');
const { run, nowNs } = require('./rounds');

const ECHO = "const { parentPort } = require('worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));";

function round(n, sample, done) {
  const w = new Worker(ECHO, { eval: true });
  let start = 0;
  let count = 0;
  let bad = null;
  w.once('online', () => {
    start = nowNs();
    w.postMessage(0);
  });
  w.on('message', (m) => {
    if (bad === null && m !== count) bad = `round trip ${count} got ${m}`;
    if (++count < n) {
      w.postMessage(count);
      return;
    }
    const ns = nowNs() - start;
    sample.metric('roundtrips_per_s', n / (ns / 1e9));
    sample.metric('rtt_us', ns / 1e3 / n);
    sample.check('echoes', bad === null, bad);
    w.terminate().then(() => done());
  });
}

run(round);
