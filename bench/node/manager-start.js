'use strict';
// manager-start: `pm2 start` of a Node app until it answers, cold (no daemon running: the command
// starts it) and warm (the daemon runs). Every round N times: `pm2 kill` (untimed), then timed
// `pm2 start manager-app.js` until both the command has returned and the app has reported its pid
// over TCP (cold_start_ms); `pm2 delete` (untimed), then the same start again (warm_start_ms).
// Metrics: the medians of the round. Checks: every start brought the app's report, from a new
// process, within LIMIT_MS.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerStart.java
const { run, nowNs, abort, median } = require('./rounds');
const { Manager, reportServer } = require('./manager-common');

const LIMIT_MS = 30000;

const ROUNDS = Number(process.argv[3]) + Number(process.argv[4]); // W + T
const pm2 = new Manager();
const state = { port: 0, pid: 0, onReport: null, rounds: 0 };
const reports = reportServer((pid) => {
  state.pid = pid;
  if (state.onReport) state.onReport(pid);
}, (port) => {
  state.port = port;
  run(round);
});

// Starts the app and calls then(ms) once the command has returned and the app has reported.
function timedStart(sample, then) {
  const before = state.pid;
  const watchdog = setTimeout(() => abort('reported', `the app did not report within ${LIMIT_MS} ms`), LIMIT_MS);
  const t0 = nowNs();
  state.onReport = () => {
    const ms = (nowNs() - t0) / 1e6;
    clearTimeout(watchdog);
    state.onReport = null;
    sample.check('new_pid', state.pid !== before, `the start reported pid ${before} again`);
    then(ms);
  };
  pm2.start('manager-app.js', ['--name', 'app'], [String(state.port)]);
}

function round(n, sample, done) {
  const cold = [];
  const warm = [];
  function next() {
    if (cold.length === n) {
      sample.metric('cold_start_ms', median(cold));
      sample.metric('warm_start_ms', median(warm));
      if (++state.rounds === ROUNDS) reports.close();
      done();
      return;
    }
    pm2.run('kill');
    timedStart(sample, (coldMs) => {
      cold.push(coldMs);
      pm2.run('delete', 'app');
      timedStart(sample, (warmMs) => {
        warm.push(warmMs);
        pm2.run('delete', 'app');
        setImmediate(next);
      });
    });
  }
  next();
}
