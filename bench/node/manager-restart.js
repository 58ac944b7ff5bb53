'use strict';
// manager-restart: how soon pm2 brings a crashed app back. One app (manager-app.js) runs under
// the manager with --max-restarts 1000 (so that a streak of quick crashes never makes it errored;
// both managers' restart delay is 0 by default). Every round kills it N times: the driver sends
// SIGKILL to the pid the app reported and times until the replacement has started and reported
// its own pid over TCP (its first "answer"); it waits SETTLE_MS before the next kill. Metric:
// restart_ms, the median of the round. Checks: every kill brought a new pid, each within LIMIT_MS.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerRestart.java
const { run, nowNs, abort, median } = require('./rounds');
const { Manager, reportServer } = require('./manager-common');

const SETTLE_MS = 300; // after a report, before the next kill: the manager's own after-start work
const LIMIT_MS = 30000;

const pm2 = new Manager();
const ROUNDS = Number(process.argv[3]) + Number(process.argv[4]); // W + T
const state = { pid: 0, onReport: null, rounds: 0 };
let reports;
reports = reportServer((pid) => {
  const first = state.pid === 0;
  const previous = state.pid;
  state.pid = pid;
  if (first) {
    run(round);
  } else if (state.onReport) {
    state.onReport(pid, previous);
  }
}, (port) => {
  pm2.start('manager-app.js', ['--name', 'crash', '--max-restarts', '1000'], [String(port)]);
});

function round(n, sample, done) {
  const times = [];
  function next() {
    if (times.length === n) {
      sample.metric('restart_ms', median(times));
      // After the last round the reports' connections would keep this program alive.
      if (++state.rounds === ROUNDS) reports.close();
      done();
      return;
    }
    const watchdog = setTimeout(() => abort('restarted', `no new pid within ${LIMIT_MS} ms of kill -9`), LIMIT_MS);
    const t0 = nowNs();
    state.onReport = (pid, previous) => {
      times.push((nowNs() - t0) / 1e6);
      clearTimeout(watchdog);
      state.onReport = null;
      sample.check('new_pid', pid !== previous, `pid ${pid} reported again`);
      setTimeout(next, SETTLE_MS);
    };
    process.kill(state.pid, 'SIGKILL');
  }
  setTimeout(next, SETTLE_MS);
}
