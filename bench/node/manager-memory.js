'use strict';
// manager-memory: what pm2 costs in memory and CPU. Arguments N W T SETTLE_S WINDOW_S. Every round:
//   1. `pm2 ping` starts the daemon; at the same time a plain `node manager-app.js PORT` starts
//      outside any manager; after SETTLE_S: daemon_rss_mib, the RSS of the manager's processes
//      with no app (pm2: the God daemon), and the plain app's RSS; the plain app is killed;
//   2. N apps start one after another (`pm2 start manager-app.js --name idle-I`); once all have
//      reported and SETTLE_S more have passed: with_apps_rss_mib (the manager's processes again),
//      added_per_app_mib (the mean RSS of the N managed apps minus the plain app's: what the
//      manager adds to each app) and manager_cost_mib = with_apps_rss_mib + N x added_per_app_mib
//      (the memory comparison);
//   3. cpu_s: utime + stime of the manager's processes, from /proc, over the next WINDOW_S;
//   4. `pm2 kill`.
// Checks: every app reported; the manager's processes lived through the window.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerMemory.java
const path = require('path');
const { spawn } = require('child_process');
const { run, abort } = require('./rounds');
const { Manager, rssMib, cpuS, reportServer, NODE_DIR, sum } = require('./manager-common');

// N W T, then this scenario's own: rounds.js reads the first three.
const [SETTLE_S, WINDOW_S] = process.argv.splice(5, 2).map(Number);
if (!(SETTLE_S >= 0 && WINDOW_S > 0)) abort('args', 'usage: N W T SETTLE_S WINDOW_S');
const ROUNDS = Number(process.argv[3]) + Number(process.argv[4]);
// A round's time limit: 2 minutes for the starts and the CLI's calls, plus its waits.
const LIMIT_MS = 120000 + (2 * SETTLE_S + WINDOW_S) * 1000;

const pm2 = new Manager();
const state = { port: 0, onReport: null, rounds: 0 };
const reports = reportServer((pid) => state.onReport && state.onReport(pid), (port) => {
  state.port = port;
  run(round);
});

function round(n, sample, done) {
  const watchdog = setTimeout(() => abort('finished', `a round did not finish within ${LIMIT_MS} ms`), LIMIT_MS);
  pm2.run('ping');
  const plain = spawn(process.execPath, [path.join(NODE_DIR, 'manager-app.js'), String(state.port)], { stdio: 'ignore' });
  state.onReport = (plainPid) => {
    state.onReport = null;
    setTimeout(() => {
      sample.metric('daemon_rss_mib', sum(pm2.managerPids(), rssMib));
      const plainRss = rssMib(plainPid);
      plain.kill('SIGKILL');
      const apps = [];
      state.onReport = (pid) => {
        apps.push(pid);
        if (apps.length === n) state.onReport = null;
      };
      for (let i = 1; i <= n; i++) pm2.start('manager-app.js', ['--name', `idle-${i}`], [String(state.port)]);
      const waitApps = () => {
        if (apps.length < n) {
          setTimeout(waitApps, 50);
          return;
        }
        setTimeout(() => measure(n, sample, apps, plainRss, () => {
          clearTimeout(watchdog);
          done();
        }), SETTLE_S * 1000);
      };
      waitApps();
    }, SETTLE_S * 1000);
  };
}

function measure(n, sample, apps, plainRss, done) {
  const managerPids = pm2.managerPids();
  const withApps = sum(managerPids, rssMib);
  const added = sum(apps, rssMib) / n - plainRss;
  sample.metric('with_apps_rss_mib', withApps);
  sample.metric('added_per_app_mib', added);
  sample.metric('manager_cost_mib', withApps + n * added);
  const cpu0 = sum(managerPids, cpuS);
  setTimeout(() => {
    sample.metric('cpu_s', sum(managerPids, cpuS) - cpu0);
    const alive = managerPids.filter((pid) => rssMib(pid) > 0).length;
    sample.check('manager_alive', alive === managerPids.length, `${alive} of ${managerPids.length} manager processes left`);
    pm2.run('kill');
    if (++state.rounds === ROUNDS) reports.close();
    done();
  }, WINDOW_S * 1000);
}
