'use strict';
// fork-first-message: N sequential forks of an empty child program (fork-first-message-child.js,
// a new Node process), each started from the previous child's 'exit'. The child sends its pid at
// startup. Metrics: first_message_ms, the median time from the fork call to the child's first
// 'message'; exit_ms, the median time from the fork call to its 'exit'. Checks: every child sent
// its own pid and exited with code 0.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ForkFirstMessage.java
const path = require('path');
const { fork } = require('child_process');
const { run, nowNs } = require('./rounds');

const CHILD = path.join(__dirname, 'fork-first-message-child.js');

function median(values) {
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function round(n, sample, done) {
  const firstMessage = [];
  const exit = [];
  let errors = 0;
  function next() {
    const t0 = nowNs();
    const c = fork(CHILD, []);
    let messages = 0;
    c.on('message', (m) => {
      if (messages++ === 0) firstMessage.push((nowNs() - t0) / 1e6);
      if (m !== c.pid) errors++;
    });
    c.on('error', () => errors++);
    c.on('exit', (code) => {
      exit.push((nowNs() - t0) / 1e6);
      if (code !== 0 || messages !== 1) errors++;
      if (exit.length < n) {
        next();
        return;
      }
      sample.metric('first_message_ms', firstMessage.length === 0 ? 0 : median(firstMessage));
      sample.metric('exit_ms', median(exit));
      sample.check('all_sent_pid_and_exited_0', errors === 0, `${errors} of ${n} children failed`);
      done();
    });
  }
  next();
}

run(round);
