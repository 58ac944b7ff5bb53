'use strict';
// manager-observe: what watching costs the manager. APPS idle Node apps (manager-idle.js) run
// under pm2. pm2 has no metrics endpoint nor a free dashboard: a client does what a dashboard on
// pm2 does, pm2's API list() every second over WINDOW_S. Metrics: watch_cpu_pct (the God daemon's
// CPU over the window, % of a core), metrics_ms (the median of 50 list() calls, one after
// another: the per-app figures a scraper would read), daemon_rss_mib (the God daemon's RSS).
// Checks: the client got the list.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerObserve.java
const path = require('path');
const { run, abort, nowNs, median } = require('./rounds');
const { Manager, rssMib, cpuS } = require('./manager-common');

// N W T, then this scenario's own: rounds.js reads the first three.
const [APPS, WINDOW_S] = process.argv.splice(5, 2).map(Number);
if (!(APPS > 0 && WINDOW_S > 0)) abort('args', 'usage: N W T APPS WINDOW_S');

const ROUNDS = Number(process.argv[3]) + Number(process.argv[4]);
const pm2 = new Manager();
for (let i = 1; i <= APPS; i++) pm2.start('manager-idle.js', ['--name', `idle-${i}`], ['idle']);
const deadline = Date.now() + 120000;
while ((pm2.run('jlist').match(/"status":"online"/g) || []).length < APPS) {
  if (Date.now() > deadline) abort('online', 'the apps did not all come online');
}
process.env.PM2_HOME = pm2.env.PM2_HOME;
const api = require(path.resolve(__dirname, '..', 'pm2', 'node_modules', 'pm2'));
let rounds = 0;
api.connect(true, (err) => {
  if (err) abort('connect', String(err));
  run((n, sample, done) => {
    const god = pm2.managerPids()[0];
    let lists = 0;
    const poll = setInterval(() => api.list((e) => { if (!e) lists++; }), 1000);
    const cpu0 = cpuS(god);
    setTimeout(() => {
      clearInterval(poll);
      const cpu = cpuS(god) - cpu0;
      sample.check('events_seen', lists >= WINDOW_S / 2, `${lists} lists in ${WINDOW_S} s`);
      sample.metric('watch_cpu_pct', cpu / WINDOW_S * 100);
      const ms = [];
      const one = (i) => {
        if (i === 50) {
          sample.metric('metrics_ms', median(ms));
          sample.metric('daemon_rss_mib', rssMib(god));
          done();
          // The API's connection keeps the program alive: let go of it after the last round.
          if (++rounds === ROUNDS) setImmediate(() => api.disconnect());
          return;
        }
        const t0 = nowNs();
        api.list((e) => {
          if (e) abort('metrics_ok', String(e));
          ms.push((nowNs() - t0) / 1e6);
          one(i + 1);
        });
      };
      one(0);
    }, WINDOW_S * 1000);
  });
});
