'use strict';
// cluster-fork-listening: N sequential cluster.fork()s, one worker at a time. Each worker (this
// same script again, in a new Node process) starts an HTTP server on port 0 of 127.0.0.1 through
// the primary (round-robin: every worker gets the primary's port); on the worker's 'listening'
// the primary calls disconnect(), and the worker's 'exit' starts the next fork. Metrics:
// listening_ms, the median time from the fork call to the worker's 'listening' in the primary;
// online_ms, the same to its 'online'. Checks: every worker went online before listening,
// listened on a port, and exited with code 0 after the disconnect.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ClusterForkListening.java
const cluster = require('cluster');
const http = require('http');
const { run, nowNs, abort } = require('./rounds');

// A fork that has not exited this long after the fork call ends the program (a failed check).
const FORK_LIMIT_MS = 60000;

function median(values) {
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function round(n, sample, done) {
  const online = [];
  const listening = [];
  let forks = 0;
  let errors = 0;
  let firstError = null;
  function error(w, what) {
    if (errors++ === 0) firstError = `worker ${w.id}: ${what}`;
  }

  function next() {
    forks++;
    const t0 = nowNs();
    const w = cluster.fork();
    const limit = setTimeout(() => abort('exited',
      `worker ${w.id} did not exit within ${FORK_LIMIT_MS} ms of its fork`), FORK_LIMIT_MS);
    let wasOnline = false;
    let wasListening = false;
    w.on('online', () => {
      wasOnline = true;
      online.push((nowNs() - t0) / 1e6);
    });
    w.on('listening', (address) => {
      listening.push((nowNs() - t0) / 1e6);
      wasListening = true;
      if (!wasOnline) error(w, "'listening' before 'online'");
      if (!address || !(address.port > 0)) error(w, `listening on ${JSON.stringify(address)}`);
      w.disconnect();
    });
    w.on('error', (e) => error(w, `error ${e}`));
    w.on('exit', (code, signal) => {
      clearTimeout(limit);
      if (code !== 0 || signal != null) error(w, `exit code ${code}, signal ${signal}`);
      if (w.exitedAfterDisconnect !== true) error(w, `exitedAfterDisconnect ${w.exitedAfterDisconnect}`);
      if (!wasListening) error(w, 'exited before listening');
      if (forks < n) {
        next();
        return;
      }
      finish();
    });
  }

  function finish() {
    sample.metric('listening_ms', listening.length === 0 ? 0 : median(listening));
    sample.metric('online_ms', online.length === 0 ? 0 : median(online));
    sample.check('online_listening_exit_0', errors === 0 && listening.length === n,
      `${errors} of ${n} workers failed, first: ${firstError}`);
    done();
  }

  next();
}

if (cluster.isPrimary) {
  run(round);
} else {
  http.createServer((req, res) => res.end('hello world\n')).listen(0, '127.0.0.1');
}
