'use strict';
// worker-idle-rss: the resident memory that N idle workers add to the process. A round reads the
// process's VmRSS (/proc/self/status), starts N workers that each listen on their parentPort and
// post 'ready', waits until all are ready and then SETTLE_MS more, reads VmRSS again and
// terminates them. Metrics: rss_mib (the process with its N idle workers) and
// added_mib_per_worker ((after - before) / N), in MiB. Check: all N came online and exited.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/WorkerIdleRss.java
const fs = require('fs');
const { Worker } = require('worker_threads');
const { run } = require('./rounds');

const SETTLE_MS = 500;
const IDLE = "const { parentPort } = require('worker_threads'); parentPort.on('message', () => {}); parentPort.postMessage('ready');";

function rssKib() {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error('no VmRSS in /proc/self/status');
  return Number(m[1]);
}

function round(n, sample, done) {
  const before = rssKib();
  const workers = [];
  let ready = 0;
  let exited = 0;
  for (let i = 0; i < n; i++) {
    const w = new Worker(IDLE, { eval: true });
    workers.push(w);
    w.once('message', () => {
      if (++ready < n) return;
      setTimeout(() => {
        const after = rssKib();
        sample.metric('rss_mib', after / 1024);
        sample.metric('added_mib_per_worker', (after - before) / 1024 / n);
        for (const x of workers) x.terminate();
      }, SETTLE_MS);
    });
    w.once('exit', () => {
      if (++exited < n) return;
      sample.check('all_ready', ready === n, `${ready} of ${n} workers came online`);
      done();
    });
  }
}

run(round);
