'use strict';
// ipc-handles: one forked child (ipc-handles-child.js) and a TCP server on 127.0.0.1 in the
// parent that sends every connection it accepts to the child as a net.Socket handle
// (child.send('socket', socket): the descriptor travels with SCM_RIGHTS and the parent's copy
// closes once the child acknowledges it); the child answers "ok\n" on it and ends it. Clients in
// the parent keep CONCURRENCY connections open at a time until N have been answered. Metric:
// sockets_per_s, N / the whole round. Checks: every client got "ok\n" and no socket errored. The
// child is forked once, before the first round, and disconnected after the last.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/IpcHandles.java
const path = require('path');
const net = require('net');
const { fork } = require('child_process');
const { run, nowNs, abort } = require('./rounds');

const ROUND_LIMIT_MS = 30000;
const CONCURRENCY = 16;

const child = fork(path.join(__dirname, 'ipc-handles-child.js'));
child.on('error', (e) => abort('no_errors', `child: ${e}`));
const server = net.createServer((socket) => child.send('socket', socket));
server.on('error', (e) => abort('no_errors', `server: ${e}`));
const rounds = Number(process.argv[3]) + Number(process.argv[4]);
let started = 0;

function round(n, sample, done) {
  const last = ++started === rounds;
  const watchdog = setTimeout(
    () => abort('finished', `a round did not finish within ${ROUND_LIMIT_MS} ms`), ROUND_LIMIT_MS);
  const port = server.address().port;
  let opened = 0;
  let answered = 0;
  let finished = 0;
  let bad = null;
  const start = nowNs();
  function open() {
    opened++;
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    c.setEncoding('latin1');
    c.on('data', (d) => { got += d; });
    c.on('error', (e) => { if (bad === null) bad = `client socket: ${e}`; });
    c.on('close', () => {
      if (got === 'ok\n') answered++;
      else if (bad === null) bad = `a client got ${JSON.stringify(got)}`;
      if (++finished === n) {
        clearTimeout(watchdog);
        sample.metric('sockets_per_s', n / ((nowNs() - start) / 1e9));
        sample.check('all_answered', answered === n && bad === null, bad ?? `${answered} of ${n} answered`);
        if (last) {
          child.disconnect();
          server.close();
        }
        done();
        return;
      }
      if (opened < n) open();
    });
  }
  for (let i = 0; i < Math.min(CONCURRENCY, n); i++) open();
}

child.once('message', (m) => {
  if (m !== 'ready') abort('ready', `the child said ${JSON.stringify(m)} first`);
  server.listen(0, '127.0.0.1', () => run(round));
});
