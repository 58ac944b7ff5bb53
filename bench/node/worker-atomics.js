'use strict';
// worker-atomics: Atomics.add(counter, 0, 1) N times in a loop on one Int32 element of a
// SharedArrayBuffer, first from one worker, then from two workers at once (the same element:
// contended). Each worker is online and waiting before the main thread posts 'go'; each reports
// the process-wide monotonic clock at its loop's start and end, and the rate is all adds over the
// span from the first start to the last end. Metrics: one_worker_mops, two_workers_mops (millions
// of adds per second). Check: the counter ends at exactly the number of adds.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/WorkerAtomics.java
const { Worker } = require('worker_threads');
const { run } = require('./rounds');

const ADDER = `
const { parentPort, workerData } = require('worker_threads');
const counter = new Int32Array(workerData);
parentPort.once('message', (n) => {
  const start = Number(process.hrtime.bigint());
  for (let i = 0; i < n; i++) Atomics.add(counter, 0, 1);
  const end = Number(process.hrtime.bigint());
  parentPort.postMessage([start, end]);
  parentPort.close();
});
parentPort.postMessage('ready');
`;

function measure(n, workers, sample, metric, then) {
  const sab = new SharedArrayBuffer(4);
  const all = [];
  const spans = [];
  let ready = 0;
  let exited = 0;
  for (let i = 0; i < workers; i++) {
    const w = new Worker(ADDER, { eval: true, workerData: sab });
    all.push(w);
    w.on('message', (m) => {
      if (m === 'ready') {
        if (++ready === workers) for (const x of all) x.postMessage(n);
        return;
      }
      spans.push(m);
    });
    w.on('exit', () => {
      if (++exited < workers) return;
      const first = Math.min(...spans.map((s) => s[0]));
      const last = Math.max(...spans.map((s) => s[1]));
      const total = n * workers;
      sample.metric(metric, total / ((last - first) / 1e9) / 1e6);
      const value = Atomics.load(new Int32Array(sab), 0);
      sample.check(`counter_${workers}`, value === total && spans.length === workers,
        `counter ${value}, expected ${total}`);
      then();
    });
  }
}

function round(n, sample, done) {
  measure(n, 1, sample, 'one_worker_mops', () => measure(n, 2, sample, 'two_workers_mops', done));
}

run(round);
