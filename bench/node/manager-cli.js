'use strict';
// manager-cli: pm2's command line against a daemon with N apps. Before the rounds, N idle apps
// (manager-app.js) are started one after another (`pm2 start ... --name app-I`) and each has
// reported; every round then runs K sequential `pm2 jlist` and K `pm2 list` calls and times each
// from the call to the CLI's exit. Metrics: jlist_ms and list_ms, the median call of the round.
// Checks: every call exits 0; jlist is a JSON array of the N apps, all online; list names every app.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerCli.java
const { run, nowNs, median } = require('./rounds');
const { Manager, reportServer } = require('./manager-common');

const K = 5; // calls of each verb per round

function timed(pm2, verb) {
  const t0 = nowNs();
  const out = pm2.run(verb);
  return { ms: (nowNs() - t0) / 1e6, out };
}

function round(pm2, n, sample, done) {
  const jlist = [];
  const list = [];
  for (let i = 0; i < K; i++) {
    const j = timed(pm2, 'jlist');
    jlist.push(j.ms);
    let apps = [];
    try {
      apps = JSON.parse(j.out);
    } catch (e) {
      sample.check('jlist_is_json', false, String(e));
    }
    const online = apps.filter((a) => a.pm2_env.status === 'online').length;
    sample.check('jlist_all_online', apps.length === n && online === n, `${apps.length} apps, ${online} online, of ${n}`);
    const l = timed(pm2, 'list');
    list.push(l.ms);
    const missing = [];
    for (let a = 1; a <= n; a++) if (!l.out.includes(`app-${a} `)) missing.push(`app-${a}`);
    sample.check('list_names_every_app', missing.length === 0, `missing ${missing.join(' ')}`);
  }
  sample.metric('jlist_ms', median(jlist));
  sample.metric('list_ms', median(list));
  done();
}

const n = Number(process.argv[2]);
const pm2 = new Manager();
const reported = new Set();
const reports = reportServer((pid) => {
  reported.add(pid);
  if (reported.size === n) {
    reports.close();
    run((size, sample, done) => round(pm2, size, sample, done));
  }
}, (port) => {
  for (let i = 1; i <= n; i++) pm2.start('manager-app.js', ['--name', `app-${i}`], [String(port)]);
});
