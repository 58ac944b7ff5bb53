'use strict';
// manager-reload: `pm2 reload` of a Node app running with -i 2 (manager-cluster-app.js) under
// load. Every round runs two phases: C clients sending one request after another, first each on
// a new connection (Connection: close), then on keep-alive connections; RELOAD_AT_MS into the
// phase the driver runs `reload` (as a separate process, so that the load goes on), and the phase
// ends AFTER_MS after the reload returned. A request fails when its connection is refused, reset
// or closed before the whole response came, or it is unanswered for TIMEOUT_MS. Metrics: close_failed and keepalive_failed (the failed
// requests of each phase), reload_ms (the two reloads' mean, the call to its exit). Checks: each
// reload exited 0 and requests were served.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerReload.java
const net = require('net');
const { run, nowNs } = require('./rounds');
const { Manager, freePort, awaitAnswers } = require('./manager-common');

const RELOAD_AT_MS = 1000;
const AFTER_MS = 1000;
const TIMEOUT_MS = 5000; // a connection idle this long (a request unanswered) is destroyed: the request failed

function client(p) {
  if (!p.running) {
    if (--p.active === 0 && p.whenStopped) p.whenStopped();
    return;
  }
  const s = net.createConnection(p.port, '127.0.0.1');
  let input = '';
  let done = false;
  const request = () => s.write(p.keepAlive ? 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
    : 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  s.setTimeout(TIMEOUT_MS, () => s.destroy()); // a request left unanswered fails
  s.on('connect', request);
  s.on('data', (d) => {
    input += d.toString('latin1');
    const head = input.indexOf('\r\n\r\n');
    if (head < 0) return;
    const headers = input.slice(0, head);
    const m = /content-length:\s*(\d+)/i.exec(headers);
    if (!m || input.length < head + 4 + Number(m[1])) return;
    input = '';
    p.ok++;
    if (!p.keepAlive || /connection:\s*close/i.test(headers)) { // as HTTP clients do: no request after Connection: close
      done = true;
      return; // the server closes; 'close' starts the next connection
    }
    if (p.running) request();
    else {
      done = true;
      s.destroy();
    }
  });
  s.on('error', () => {});
  s.on('close', () => {
    if (!done) p.failed++;
    client(p);
  });
}

function phase(pm2, port, keepAlive, connections, sample, then) {
  const p = { port, keepAlive, running: true, ok: 0, failed: 0, active: connections, whenStopped: null };
  for (let i = 0; i < connections; i++) client(p);
  const name = keepAlive ? 'keepalive' : 'close';
  setTimeout(() => {
    const t0 = nowNs();
    pm2.runAsync((code) => {
      const ms = (nowNs() - t0) / 1e6;
      sample.check(`${name}_reload_ok`, code === 0, `reload exited with ${code}`);
      setTimeout(() => {
        p.whenStopped = () => {
          sample.check(`${name}_served`, p.ok > 0, 'no request served');
          sample.metric(`${name}_failed`, p.failed);
          then(ms);
        };
        p.running = false;
      }, AFTER_MS);
    }, 'reload', 'mc');
  }, RELOAD_AT_MS);
}

// N W T, then this scenario's own: rounds.js reads the first three.
const [connections] = process.argv.splice(5, 1).map(Number);
const pm2 = new Manager();
freePort((port) => {
  pm2.start('manager-cluster-app.js', ['--name', 'mc', '-i', '2'], [String(port), '127.0.0.1']);
  awaitAnswers(port, 2, () => {
    run((n, sample, done) => phase(pm2, port, false, connections, sample, (closeMs) =>
      phase(pm2, port, true, connections, sample, (keepMs) => {
        sample.metric('reload_ms', (closeMs + keepMs) / 2);
        done();
      })));
  });
});
