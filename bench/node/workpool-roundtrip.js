'use strict';
// workpool-roundtrip: N sequential round trips through the libuv threadpool, each completion
// starting the next. Metrics: time_ms, roundtrips_per_s.
//
// Node has no public "queue this JS function on the threadpool", so the round trip is
// crypto.randomFill of a 1-byte buffer: it goes through uv_queue_work (a CryptoJob ->
// ThreadPoolWork), its work is RAND_bytes for one byte (about 0.1 us, no syscall), and its
// completion comes back through the loop's async wakeup to a JS callback -- the same path as
// Herd's Loop.queueWork(work, done) with a work that writes one random byte. Measured on this
// machine it is the cheapest threadpool round trip Node offers (fs.access and a 1-iteration
// pbkdf2 cost 30-40% more: a syscall, a hash; zlib.deflate 3x more: a new zlib stream each time).
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/WorkpoolRoundtrip.java
const crypto = require('crypto');
const { run, nowNs } = require('./rounds');

function round(n, sample, done) {
  const buffer = Buffer.alloc(1);
  let count = 0;
  let errors = 0;
  const start = nowNs();
  function step(error) {
    if (error) errors++;
    if (++count < n) {
      crypto.randomFill(buffer, step);
      return;
    }
    const ns = nowNs() - start;
    sample.metric('time_ms', ns / 1e6);
    sample.metric('roundtrips_per_s', n / (ns / 1e9));
    sample.check('no_errors', errors === 0, `${errors} of ${n} round trips failed`);
    done();
  }
  crypto.randomFill(buffer, step);
}

run(round);
