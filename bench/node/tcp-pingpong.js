'use strict';
// tcp-pingpong: one TCP connection over 127.0.0.1 between an echo server and a client, both in
// this process on this loop (as in the Herd twin), with TCP_NODELAY on both ends. The client
// writes 1 byte, waits for it to come back, and writes the next: N round trips. Metrics:
// rtt_us_p50 and rtt_us_p99 (nearest-rank percentiles of the N round-trip times, write to echo
// read) and roundtrips_per_s (N / the whole round).
//
// Byte i is i & 0xff. Check: every 'data' the client got was exactly the 1 byte it last sent, and
// all N came back. A round that has not finished within ROUND_LIMIT_MS fails the program.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/TcpPingpong.java
const net = require('net');
const { run, nowNs, abort } = require('./rounds');

const ROUND_LIMIT_MS = 60000;

// The nearest-rank percentile p (0..1) of sorted values, as timers-random.js's.
function percentile(sorted, p) {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function round(n, sample, done) {
  const rtt = new Float64Array(n);
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (d) => socket.write(d));
    socket.on('end', () => socket.end());
    socket.on('error', (e) => sample.check('no_errors', false, `server socket: ${e}`));
  });
  server.on('error', (e) => abort('no_errors', `server: ${e}`));
  const watchdog = setTimeout(
    () => abort('finished', `a round did not finish within ${ROUND_LIMIT_MS} ms`), ROUND_LIMIT_MS);
  server.listen(0, '127.0.0.1', () => {
    let start = 0;
    let sentAt = 0;
    let count = 0;
    let bad = null;
    const client = net.createConnection(server.address().port, '127.0.0.1');
    client.on('connect', () => {
      client.setNoDelay(true);
      start = nowNs();
      sentAt = start;
      client.write(Buffer.from([0]));
    });
    client.on('data', (d) => {
      const now = nowNs();
      if (bad === null && (d.length !== 1 || d[0] !== (count & 0xff))) {
        bad = `round trip ${count}: got ${d.length} byte(s), first ${d[0]}`;
      }
      rtt[count++] = now - sentAt;
      if (count === n) {
        sample.metric('roundtrips_per_s', n / ((now - start) / 1e9));
        client.end();
        return;
      }
      sentAt = nowNs();
      client.write(Buffer.from([count & 0xff]));
    });
    client.on('error', (e) => sample.check('no_errors', false, `client socket: ${e}`));
    client.on('close', () => server.close(() => {
      clearTimeout(watchdog);
      const sorted = rtt.slice(0, count).sort();
      if (count < n) sample.metric('roundtrips_per_s', 0);
      sample.metric('rtt_us_p50', sorted.length === 0 ? 0 : percentile(sorted, 0.5) / 1e3);
      sample.metric('rtt_us_p99', sorted.length === 0 ? 0 : percentile(sorted, 0.99) / 1e3);
      sample.check('no_errors', true, null);
      sample.check('all_echoed', count === n && bad === null, bad !== null ? bad : `${count} of ${n} round trips`);
      done();
    }));
  });
}

run(round);
