'use strict';
// spawn-true: N sequential spawn('/bin/true') calls with the default stdio (three pipes), each
// started from the previous child's 'exit'. Metrics: exit_ms, the median time from the spawn call
// to the child's 'exit' event; spawns_per_s over the round. Checks: every child started and
// exited with code 0.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/SpawnTrue.java
const { spawn } = require('child_process');
const { run, nowNs } = require('./rounds');

function median(values) {
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function round(n, sample, done) {
  const times = [];
  let errors = 0;
  const start = nowNs();
  function next() {
    const t0 = nowNs();
    const c = spawn('/bin/true');
    c.on('error', () => errors++);
    c.on('exit', (code) => {
      if (code !== 0) errors++;
      times.push((nowNs() - t0) / 1e6);
      if (times.length < n) {
        next();
        return;
      }
      const ns = nowNs() - start;
      sample.metric('exit_ms', median(times));
      sample.metric('spawns_per_s', n / (ns / 1e9));
      sample.check('all_exited_0', errors === 0, `${errors} of ${n} children failed`);
      done();
    });
  }
  next();
}

run(round);
