'use strict';
// execfile-echo: N sequential execFile('echo', ['hi']) calls ('echo' looked up in PATH, output
// collected as a UTF-8 string), each started from the previous one's callback. Metrics:
// callback_ms, the median time from the call to its callback; execs_per_s over the round.
// Checks: every callback got no error and stdout "hi\n".
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ExecfileEcho.java
const { execFile } = require('child_process');
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
    execFile('echo', ['hi'], (err, stdout) => {
      if (err || stdout !== 'hi\n') errors++;
      times.push((nowNs() - t0) / 1e6);
      if (times.length < n) {
        next();
        return;
      }
      const ns = nowNs() - start;
      sample.metric('callback_ms', median(times));
      sample.metric('execs_per_s', n / (ns / 1e9));
      sample.check('all_echoed', errors === 0, `${errors} of ${n} calls failed`);
      done();
    });
  }
  next();
}

run(round);
