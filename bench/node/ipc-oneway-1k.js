'use strict';
// ipc-oneway-1k: one forked child (ipc-oneway-1k-child.js) and N one-way messages parent -> child
// over the IPC channel (JSON mode), each an object {seq, data} whose JSON line is 1 KiB (data: a
// string of 'x'), then {end: N}, which the child answers with the count it got. The parent sends
// as fast as the channel takes them: it sends until send() returns false (more than 128 KiB
// queued) and goes on from that message's callback (written to the socket). Metric: msgs_per_s,
// N / (first send to the child's answer). Checks: the child got all N, in order. The child is
// forked once, before the first round, and disconnected after the last.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/IpcOneway1k.java
const path = require('path');
const { fork } = require('child_process');
const { run, nowNs, abort } = require('./rounds');

const ROUND_LIMIT_MS = 30000;
const LINE_BYTES = 1024;
// {"seq":S,"data":"x…x"}\n is 1 KiB for a 7-digit S; shorter S give lines a few bytes shorter.
const DATA = 'x'.repeat(LINE_BYTES - '{"seq":1234567,"data":""}\n'.length);

const child = fork(path.join(__dirname, 'ipc-oneway-1k-child.js'));
child.on('error', (e) => abort('no_errors', `child: ${e}`));
let onMessage = null;
child.on('message', (m) => onMessage(m));
const rounds = Number(process.argv[3]) + Number(process.argv[4]);
let started = 0;

function round(n, sample, done) {
  const last = ++started === rounds;
  let seq = 0;
  // The detail tells a lost send callback (all sent, waiting) from a lost answer.
  const watchdog = setTimeout(() => abort('finished',
    `a round did not finish within ${ROUND_LIMIT_MS} ms (sent ${seq} of ${n})`), ROUND_LIMIT_MS);
  let writeErrors = 0;
  const start = nowNs();
  function sendSome() {
    while (seq < n) {
      const m = { seq: seq++, data: DATA };
      let full = false;
      const ok = child.send(m, (err) => {
        if (err) writeErrors++;
        if (full) sendSome();
      });
      if (!ok) {
        full = true;
        return;
      }
    }
    child.send({ end: n });
  }
  onMessage = (m) => {
    const ns = nowNs() - start;
    clearTimeout(watchdog);
    sample.metric('msgs_per_s', n / (ns / 1e9));
    sample.check('all_arrived_in_order', m.count === n && m.inOrder && writeErrors === 0,
      `the child got ${m.count} of ${n}, in order: ${m.inOrder}, write errors: ${writeErrors}`);
    if (last) child.disconnect();
    done();
  };
  sendSome();
}

onMessage = (m) => {
  if (m !== 'ready') abort('ready', `the child said ${JSON.stringify(m)} first`);
  run(round);
};
