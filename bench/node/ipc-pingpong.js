'use strict';
// ipc-pingpong: one forked child (ipc-pingpong-child.js, which echoes every message) and N
// sequential round trips of a small message over the IPC channel (JSON mode): the parent sends
// the number i, waits for it to come back, and sends i + 1. Metrics: roundtrips_per_s (N / the
// whole round) and rtt_us_p50 (the median round-trip time, send to 'message'). Checks: every echo
// was the number last sent, all N came back. The child is forked once, before the first round,
// and disconnected after the last; a round that has not finished within ROUND_LIMIT_MS fails the
// program. CPU placement is the caller's: run the whole command under `taskset -c 0` to put both
// processes on one CPU.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/IpcPingpong.java
const path = require('path');
const { fork } = require('child_process');
const { run, nowNs, abort } = require('./rounds');

const ROUND_LIMIT_MS = 30000;

function median(values) {
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const child = fork(path.join(__dirname, 'ipc-pingpong-child.js'));
child.on('error', (e) => abort('no_errors', `child: ${e}`));
let onMessage = null;
child.on('message', (m) => onMessage(m));
const rounds = Number(process.argv[3]) + Number(process.argv[4]);
let started = 0;

function round(n, sample, done) {
  const last = ++started === rounds;
  const rtt = new Float64Array(n);
  let count = 0;
  let bad = null;
  const watchdog = setTimeout(
    () => abort('finished', `a round did not finish within ${ROUND_LIMIT_MS} ms`), ROUND_LIMIT_MS);
  const start = nowNs();
  let sentAt = start;
  onMessage = (m) => {
    const now = nowNs();
    if (bad === null && m !== count) bad = `round trip ${count}: got ${JSON.stringify(m)}`;
    rtt[count++] = now - sentAt;
    if (count < n) {
      sentAt = nowNs();
      child.send(count);
      return;
    }
    clearTimeout(watchdog);
    sample.metric('roundtrips_per_s', n / ((now - start) / 1e9));
    sample.metric('rtt_us_p50', median(rtt) / 1e3);
    sample.check('all_echoed', bad === null, bad);
    if (last) child.disconnect();
    done();
  };
  child.send(0);
}

onMessage = (m) => {
  if (m !== 'ready') abort('ready', `the child said ${JSON.stringify(m)} first`);
  run(round);
};
