'use strict';
// first-request: how a fresh cluster worker answers. N sequential cluster.fork()s, one worker at a
// time; each worker starts Node's hello-world HTTP server on port 0 of 127.0.0.1 through the
// primary (round-robin). On the worker's 'listening' the primary sends one request on a new
// connection (Connection: close, raw bytes over net), then LATER_REQUESTS more one after another,
// then disconnects the worker; its 'exit' starts the next fork. Metrics: first_request_ms, from
// 'listening' to the end of the first response; fork_to_answer_ms, from the fork call to the
// same; later_request_ms, the median of the later requests. Checks: every response is a 200 with
// the hello body.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/FirstRequest.java
const cluster = require('cluster');
const http = require('http');
const net = require('net');
const { run, nowNs, abort } = require('./rounds');

const FORK_LIMIT_MS = 60000;
const LATER_REQUESTS = 20;
const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', 'latin1');

function median(values) {
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function get(port, done) {
  const chunks = [];
  const s = net.createConnection(port, '127.0.0.1');
  s.on('connect', () => s.write(REQUEST));
  s.on('data', (d) => chunks.push(d));
  s.on('error', (e) => done(`error ${e}`));
  s.on('end', () => {
    s.end();
    done(Buffer.concat(chunks).toString('latin1'));
  });
}

function ok(response) {
  return response.startsWith('HTTP/1.1 200') && response.endsWith('\r\n\r\nhello world\n');
}

function round(n, sample, done) {
  const first = [];
  const forkToAnswer = [];
  const later = [];
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
    w.on('listening', (address) => {
      const t1 = nowNs();
      get(address.port, (response) => {
        const t2 = nowNs();
        first.push((t2 - t1) / 1e6);
        forkToAnswer.push((t2 - t0) / 1e6);
        if (!ok(response)) error(w, `first response ${response}`);
        laterRequests(w, address.port, LATER_REQUESTS);
      });
    });
    w.on('error', (e) => error(w, `error ${e}`));
    w.on('exit', () => {
      clearTimeout(limit);
      if (forks < n) {
        next();
        return;
      }
      finish();
    });
  }

  function laterRequests(w, port, left) {
    if (left === 0) {
      w.disconnect();
      return;
    }
    const t = nowNs();
    get(port, (response) => {
      later.push((nowNs() - t) / 1e6);
      if (!ok(response)) error(w, `later response ${response}`);
      laterRequests(w, port, left - 1);
    });
  }

  function finish() {
    sample.metric('first_request_ms', median(first));
    sample.metric('fork_to_answer_ms', median(forkToAnswer));
    sample.metric('later_request_ms', median(later));
    sample.check('answers_200', errors === 0 && first.length === n,
      `${errors} errors in ${n} workers, first: ${firstError}`);
    done();
  }

  next();
}

if (cluster.isPrimary) {
  run(round);
} else {
  http.createServer((req, res) => res.end('hello world\n')).listen(0, '127.0.0.1');
}
