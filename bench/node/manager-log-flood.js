'use strict';
// manager-log-flood: a program that prints as fast as it can under the manager. Every round starts
// an app (manager-flood.js) that writes 100-byte lines to stdout for N seconds, then reports how
// many it wrote. The driver samples the RSS of the manager's processes every SAMPLE_MS from the
// app's start until the app's out log holds every line, and their CPU time before and after.
// Metrics: flood_mib_per_s (what the app got written through the manager: lines x 100 B over N s),
// manager_rss_growth_mib (the highest RSS of the manager's processes during the flood minus
// before it), manager_cpu_s_per_gib (the manager's CPU time per GiB logged). Checks: the log file
// holds exactly the lines written (no line lost or doubled), within LIMIT_MS of the app's end.
// The app and its log files are deleted after each round.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerLogFlood.java
const fs = require('fs');
const path = require('path');
const { run, nowNs, abort } = require('./rounds');
const { Manager, reportServer, rssMib, cpuS, sum } = require('./manager-common');

const LINE = 100;
const SAMPLE_MS = 100;
const LIMIT_MS = 120000;

const ROUNDS = Number(process.argv[3]) + Number(process.argv[4]); // W + T
const pm2 = new Manager();
const state = { port: 0, onReport: null, rounds: 0, started: 0 };
const reports = reportServer((n) => state.onReport && state.onReport(n), (port) => {
  state.port = port;
  pm2.run('ping'); // the daemon runs before the first round measures it (the warm-up round starts the rest)
  run(round);
});

function managerRss() {
  return sum(pm2.managerPids(), rssMib);
}

function managerCpu() {
  return sum(pm2.managerPids(), cpuS);
}

function size(file) {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function round(n, sample, done) {
  const name = `flood-${++state.started}`;
  const out = path.join(pm2.home, 'logs', `${name}-out.log`);
  const err = path.join(pm2.home, 'logs', `${name}-error.log`);
  let before = 0;
  let cpuBefore = 0;
  let highest = 0;
  let sampler = null;
  const watchdog = setTimeout(() => abort('logged', `${name}: not every line logged within ${LIMIT_MS} ms`), LIMIT_MS + n * 1000);
  state.onReport = () => {
    // The first report is the pid; the second, the number of lines written.
    state.onReport = (lines) => {
      state.onReport = null;
      const want = lines * LINE;
      const drained = () => {
        const got = size(out);
        if (got < want) {
          setTimeout(drained, 20);
          return;
        }
        clearInterval(sampler);
        clearTimeout(watchdog);
        const cpu = managerCpu() - cpuBefore;
        sample.check('every_line_logged_once', got === want, `${name}: ${got} bytes logged, ${want} written`);
        sample.metric('flood_mib_per_s', want / 1048576 / n);
        sample.metric('manager_rss_growth_mib', Math.max(0, highest - before));
        sample.metric('manager_cpu_s_per_gib', cpu / (want / 1073741824));
        pm2.run('delete', name);
        fs.rmSync(out, { force: true });
        fs.rmSync(err, { force: true });
        done();
        if (++state.rounds === ROUNDS) reports.close();
      };
      drained();
    };
  };
  pm2.run('flush'); // no earlier lines in the files this round reads
  before = managerRss();
  cpuBefore = managerCpu();
  highest = before;
  sampler = setInterval(() => {
    highest = Math.max(highest, managerRss());
  }, SAMPLE_MS);
  pm2.start('manager-flood.js', ['--name', name], [String(state.port), String(n)]);
}
