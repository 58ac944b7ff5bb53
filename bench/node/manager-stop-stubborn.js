'use strict';
// manager-stop-stubborn: `pm2 stop` of a program that ignores SIGINT (manager-app.js stubborn),
// started with --kill-timeout KILL_TIMEOUT_MS: the manager sends SIGINT, waits the kill timeout,
// then SIGKILL. Every round starts such an app N times (`pm2 start ... --name stubborn-I`), waits
// for its report (its SIGINT handler is in place by then), times `pm2 stop stubborn-I` from the
// call to the CLI's exit, and deletes it. Metric: stop_extra_ms, the median stop time of the round
// minus the kill timeout (the CLI's own cost plus the manager's reaction). Checks: the app's
// process is gone once stop returns, and stop did not return before the kill timeout.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerStopStubborn.java
const { run, nowNs, abort, median } = require('./rounds');
const { Manager, reportServer, gone } = require('./manager-common');

const KILL_TIMEOUT_MS = 1000;
const LIMIT_MS = 30000;

const ROUNDS = Number(process.argv[3]) + Number(process.argv[4]); // W + T
const pm2 = new Manager();
const state = { port: 0, onReport: null, rounds: 0, started: 0 };
const reports = reportServer((pid) => state.onReport && state.onReport(pid), (port) => {
  state.port = port;
  run(round);
});

function round(n, sample, done) {
  const times = [];
  function next() {
    if (times.length === n) {
      sample.metric('stop_extra_ms', median(times) - KILL_TIMEOUT_MS);
      if (++state.rounds === ROUNDS) reports.close();
      done();
      return;
    }
    const name = `stubborn-${++state.started}`;
    const watchdog = setTimeout(() => abort('reported', `${name} did not report within ${LIMIT_MS} ms`), LIMIT_MS);
    state.onReport = (pid) => {
      clearTimeout(watchdog);
      state.onReport = null;
      const t0 = nowNs();
      pm2.run('stop', name);
      const ms = (nowNs() - t0) / 1e6;
      times.push(ms);
      sample.check('app_gone_after_stop', gone(pid), `${name} (pid ${pid}) still runs`);
      sample.check('waited_kill_timeout', ms >= KILL_TIMEOUT_MS, `stop took ${ms} ms`);
      pm2.run('delete', name);
      setImmediate(next);
    };
    pm2.start('manager-app.js', ['--name', name, '--kill-timeout', String(KILL_TIMEOUT_MS)], [String(state.port), 'stubborn']);
  }
  next();
}
