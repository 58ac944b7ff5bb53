'use strict';
// manager-memory-limit: how soon the manager acts on --max-memory-restart. One app
// (manager-grow.js) runs under the manager with --max-memory-restart LIMIT_MIB M and grows its
// resident memory by GROW_MIB_PER_S (up to CAP_MIB more, then holds). The driver reads the app's
// VmRSS every SAMPLE_MS from /proc; per crossing it times from the first sample above the limit
// to the first sample in which that process is gone (the manager killed it to restart it). Every
// round waits for N such crossings (the restarted app grows again). Metrics: act_ms (the median
// time from crossing to the kill) and rss_at_act_mib (the median of the last VmRSS seen before it).
// Checks: every crossing is acted on within LIMIT_MS, and a new pid reports after each.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerMemoryLimit.java
const { run, nowNs, abort, median } = require('./rounds');
const { Manager, reportServer, rssMib, gone } = require('./manager-common');

const LIMIT_MIB = 80;
const GROW_MIB_PER_S = 5;
const CAP_MIB = 250;
const SAMPLE_MS = 10;
const LIMIT_MS = 60000;

const ROUNDS = Number(process.argv[3]) + Number(process.argv[4]); // W + T
const pm2 = new Manager();
const state = { pid: 0, onReport: null, rounds: 0 };
const reports = reportServer((pid) => {
  const first = state.pid === 0;
  state.pid = pid;
  if (first) run(round);
  else if (state.onReport) state.onReport(pid);
}, (port) => {
  pm2.start('manager-grow.js', ['--name', 'grow', '--max-memory-restart', `${LIMIT_MIB}M`],
    [String(port), String(GROW_MIB_PER_S), String(CAP_MIB)]);
});

// Waits for the app (pid) to cross the limit and be killed; then(actMs, lastRssMib, pid).
function crossing(pid, then) {
  let crossedAt = 0;
  let last = 0;
  const watchdog = setTimeout(() => abort('acted', `pid ${pid} not killed within ${2 * LIMIT_MS} ms`), 2 * LIMIT_MS);
  const sampler = setInterval(() => {
    const now = nowNs();
    if (gone(pid)) {
      clearInterval(sampler);
      clearTimeout(watchdog);
      if (crossedAt === 0) abort('crossed', `pid ${pid} ended before it crossed ${LIMIT_MIB} MiB (last ${last} MiB)`);
      then((now - crossedAt) / 1e6, last);
      return;
    }
    last = rssMib(pid);
    if (crossedAt === 0 && last > LIMIT_MIB) crossedAt = now;
  }, SAMPLE_MS);
}

function round(n, sample, done) {
  const acts = [];
  const rss = [];
  function next() {
    if (acts.length === n) {
      sample.metric('act_ms', median(acts));
      sample.metric('rss_at_act_mib', median(rss));
      if (++state.rounds === ROUNDS) reports.close();
      done();
      return;
    }
    const pid = state.pid;
    let restarted = null;
    state.onReport = (newPid) => {
      state.onReport = null;
      restarted = newPid;
    };
    crossing(pid, (actMs, lastMib) => {
      acts.push(actMs);
      rss.push(lastMib);
      const deadline = Date.now() + LIMIT_MS;
      const waitReport = () => {
        if (restarted === null) {
          if (Date.now() > deadline) abort('restarted', `no new pid within ${LIMIT_MS} ms of the kill of ${pid}`);
          setTimeout(waitReport, SAMPLE_MS);
          return;
        }
        sample.check('new_pid', restarted !== pid, `pid ${pid} reported again`);
        setImmediate(next);
      };
      waitReport();
    });
  }
  next();
}
