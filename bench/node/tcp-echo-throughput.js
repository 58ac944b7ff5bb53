'use strict';
// tcp-echo-throughput: one TCP connection over 127.0.0.1 between an echo server and a client, both
// in this process on this loop (the Herd twin has the same shape). The client writes N MiB in
// 64 KiB chunks, respecting backpressure (after a write() that returns false it waits for
// 'drain'), and reads everything back; the server echoes as socket.pipe(socket) does (pause while
// its writes are backed up, resume on 'drain'). Metric: mib_per_s = N / (first write to the last
// echoed byte read).
//
// The chunks are VARIANTS different 64 KiB blocks of xorshift32 bytes, chunk k being block
// k mod VARIANTS, so that a lost, duplicated or reordered chunk shows. Check: every byte came
// back, in order and intact (compared with Buffer.compare, as the Herd twin compares with
// Arrays.equals ranges: both native-speed), and nothing more. A round that has not finished
// within ROUND_LIMIT_MS fails the program.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/TcpEchoThroughput.java
const net = require('net');
const { run, nowNs, abort } = require('./rounds');

const CHUNK = 64 * 1024;
const VARIANTS = 61;
const ROUND_LIMIT_MS = 60000;
let blocks = null;

// VARIANTS blocks of CHUNK bytes: the low bytes of successive xorshift32 states.
function makeBlocks() {
  const b = [];
  let x = 2463534242 | 0;
  for (let v = 0; v < VARIANTS; v++) {
    const block = Buffer.alloc(CHUNK);
    for (let i = 0; i < CHUNK; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      block[i] = x & 0xff;
    }
    b.push(block);
  }
  return b;
}

function round(mib, sample, done) {
  if (blocks === null) blocks = makeBlocks();
  const chunks = blocks;
  const total = mib * 1024 * 1024;
  const totalChunks = total / CHUNK;
  const server = net.createServer((socket) => {
    // socket.pipe(socket): stop reading while the writes are backed up.
    socket.on('data', (d) => {
      if (!socket.write(d)) socket.pause();
    });
    socket.on('drain', () => socket.resume());
    socket.on('end', () => socket.end());
    socket.on('error', (e) => sample.check('no_errors', false, `server socket: ${e}`));
  });
  server.on('error', (e) => abort('no_errors', `server: ${e}`));
  const watchdog = setTimeout(
    () => abort('finished', `a round did not finish within ${ROUND_LIMIT_MS} ms`), ROUND_LIMIT_MS);
  server.listen(0, '127.0.0.1', () => {
    let start = 0;
    let sent = 0;
    let received = 0;
    let badOffset = -1;
    let timed = false;
    const client = net.createConnection(server.address().port, '127.0.0.1');
    function pump() {
      while (sent < totalChunks) {
        const more = client.write(chunks[sent++ % VARIANTS]);
        if (sent === totalChunks) client.end();
        if (!more) return;
      }
    }
    client.on('connect', () => {
      start = nowNs();
      pump();
    });
    client.on('drain', pump);
    client.on('data', (d) => {
      for (let i = 0; i < d.length && badOffset < 0;) {
        const at = received + i;
        const pos = at % CHUNK;
        const seg = Math.min(d.length - i, CHUNK - pos);
        const expected = chunks[Math.floor(at / CHUNK) % VARIANTS];
        if (at + seg > total || expected.compare(d, i, i + seg, pos, pos + seg) !== 0) badOffset = at;
        i += seg;
      }
      received += d.length;
      if (received >= total && !timed) {
        timed = true;
        const ns = nowNs() - start;
        sample.metric('mib_per_s', mib / (ns / 1e9));
      }
    });
    client.on('error', (e) => sample.check('no_errors', false, `client socket: ${e}`));
    client.on('close', () => server.close(() => {
      clearTimeout(watchdog);
      if (!timed) sample.metric('mib_per_s', 0);
      sample.check('no_errors', true, null);
      sample.check('echo_intact', received === total && badOffset < 0,
        `received ${received} of ${total} bytes` + (badOffset >= 0 ? `, first bad byte at offset ${badOffset}` : ''));
      done();
    }));
  });
}

run(round);
