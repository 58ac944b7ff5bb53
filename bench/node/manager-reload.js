'use strict';
// manager-reload: `pm2 reload` of a Node app running with -i 2 (manager-cluster-app.js) under
// load. Every round runs two phases: C clients sending one request after another, first each on
// a new connection (Connection: close), then on keep-alive connections; RELOAD_AT_MS into the
// phase the driver runs `reload` (as a separate process, so that the load goes on), and the phase
// ends AFTER_MS after the reload returned. A request fails when its connection is refused, reset
// or closed before the whole response came, or it is unanswered for 5 s. Metrics: close_failed
// and keepalive_failed (the failed requests of each phase), close_p99_ms and keepalive_p99_ms (the
// nearest-rank p99 latency of the requests started while the reload ran, from the connect or the
// request's write to the whole response), reload_ms (the two reloads' mean, the call to its exit).
// Checks: each reload exited 0 and requests were served.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerReload.java
const { run, nowNs } = require('./rounds');
const { Manager, freePort, awaitAnswers, loadPhase, loadClient, p99Ms } = require('./manager-common');

const RELOAD_AT_MS = 1000;
const AFTER_MS = 1000;

function phase(pm2, port, keepAlive, connections, sample, then) {
  const p = loadPhase(port, keepAlive, connections);
  for (let i = 0; i < connections; i++) loadClient(p);
  const name = keepAlive ? 'keepalive' : 'close';
  setTimeout(() => {
    const t0 = nowNs();
    p.windowStart = t0;
    pm2.runAsync((code) => {
      p.windowEnd = nowNs();
      const ms = (nowNs() - t0) / 1e6;
      sample.check(`${name}_reload_ok`, code === 0, `reload exited with ${code}`);
      setTimeout(() => {
        p.whenStopped = () => {
          sample.check(`${name}_served`, p.ok > 0, 'no request served');
          sample.metric(`${name}_failed`, p.failed);
          sample.metric(`${name}_p99_ms`, p99Ms(p.latencies));
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
