'use strict';
// worker-oneway: one worker posts N messages to the main thread as fast as the flow control lets
// it, first N small ones (the message's number), then N of 1 KiB (a 1024-byte Uint8Array, cloned
// on every post). Flow control, the same in both runtimes: the main thread posts an ack every
// ACK_EVERY messages and the worker keeps at most WINDOW unacknowledged (without it, the queue of a
// receiver slower than its sender grows without bound). The clock runs from the 'go' message to
// the N-th message. Metrics: small_msgs_per_s, kib_msgs_per_s. Checks: all N arrived in order
// (small), all N were 1024 bytes (1 KiB).
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/WorkerOneway.java
const { Worker } = require('worker_threads');
const { run, nowNs } = require('./rounds');

const WINDOW = 8192;
const ACK_EVERY = 1024;

const SENDER = `
const { parentPort } = require('worker_threads');
const WINDOW = ${WINDOW};
const kib = new Uint8Array(1024);
let total = 0, sent = 0, acked = 0, big = false;
function send() {
  while (sent < total && sent - acked < WINDOW) {
    parentPort.postMessage(big ? kib : sent);
    sent++;
  }
}
parentPort.on('message', (m) => {
  if (typeof m === 'object') {
    big = m.kind === 'kib';
    total = m.n;
    sent = 0;
    acked = 0;
  } else {
    acked = m;
  }
  send();
});
`;

function round(n, sample, done) {
  const w = new Worker(SENDER, { eval: true });
  let big = false;
  let start = 0;
  let count = 0;
  let bad = null;
  function go(kib) {
    big = kib;
    count = 0;
    bad = null;
    start = nowNs();
    w.postMessage({ kind: kib ? 'kib' : 'small', n });
  }
  w.on('message', (m) => {
    if (bad === null) {
      if (big && !(m instanceof Uint8Array && m.length === 1024)) bad = `message ${count} is not 1024 bytes`;
      if (!big && m !== count) bad = `message ${count} is ${m}`;
    }
    count++;
    if (count % ACK_EVERY === 0 && count < n) w.postMessage(count);
    if (count < n) return;
    const perS = n / ((nowNs() - start) / 1e9);
    if (!big) {
      sample.metric('small_msgs_per_s', perS);
      sample.check('small_in_order', bad === null, bad);
      go(true);
    } else {
      sample.metric('kib_msgs_per_s', perS);
      sample.check('kib_sizes', bad === null, bad);
      w.terminate().then(() => done());
    }
  });
  w.once('online', () => go(false));
}

run(round);
