'use strict';
// manager-reload-bad: a bad deploy. A Node app runs with -i 2 (manager-cluster-app.js, its third
// argument a marker file) under C clients, a new connection per request; RELOAD_AT_MS in, the
// marker says 'crash' (the new code exits at start) or 'noready' (it never listens) and the driver
// runs `reload`; the load goes on until WINDOW_MS after the reload's start (pm2 takes the port
// down 6.5 s in). A client whose request failed waits FAILURE_PAUSE_MS before its next. Each round
// starts the app afresh, once per kind. Metrics per kind: <kind>_failed (failed requests from the
// reload's start to the window's end), <kind>_exit_ms (the reload's call to its exit),
// <kind>_exit_nonzero (1 when the reload said it failed). Checks: requests were served before the
// reload.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerReloadBad.java
const fs = require('fs');
const os = require('os');
const path = require('path');
const { run, nowNs } = require('./rounds');
const { Manager, freePort, awaitAnswers, loadPhase, loadClient } = require('./manager-common');

const RELOAD_AT_MS = 1000;
const WINDOW_MS = 8000;
const FAILURE_PAUSE_MS = 10;
const KINDS = ['crash', 'noready'];

function kind(pm2, marker, k, connections, sample, done) {
  if (k === KINDS.length) {
    done();
    return;
  }
  const name = KINDS[k];
  freePort((port) => {
    pm2.start('manager-cluster-app.js', ['--name', 'mc', '-i', '2'], [String(port), '127.0.0.1', marker]);
    awaitAnswers(port, 2, () => {
      const p = loadPhase(port, false, connections);
      p.failurePauseMs = FAILURE_PAUSE_MS;
      for (let i = 0; i < connections; i++) loadClient(p);
      setTimeout(() => {
        sample.check(`${name}_served`, p.ok > 0, 'no request served before the reload');
        fs.writeFileSync(marker, name);
        const failedBefore = p.failed;
        const t0 = nowNs();
        pm2.runAsync((code) => {
          sample.metric(`${name}_exit_ms`, (nowNs() - t0) / 1e6);
          sample.metric(`${name}_exit_nonzero`, code !== 0 ? 1 : 0);
        }, 'reload', 'mc');
        setTimeout(() => {
          p.whenStopped = () => {
            sample.metric(`${name}_failed`, p.failed - failedBefore);
            pm2.run('delete', 'mc');
            fs.rmSync(marker, { force: true });
            kind(pm2, marker, k + 1, connections, sample, done);
          };
          p.running = false;
        }, WINDOW_MS);
      }, RELOAD_AT_MS);
    });
  });
}

// N W T, then this scenario's own: rounds.js reads the first three.
const [connections] = process.argv.splice(5, 1).map(Number);
const pm2 = new Manager();
const markerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-bench-deploy-'));
const marker = path.join(markerDir, 'marker');
process.on('exit', () => fs.rmSync(markerDir, { recursive: true, force: true }));
run((n, sample, done) => kind(pm2, marker, 0, connections, sample, done));
