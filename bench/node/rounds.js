'use strict';
// The in-process driver every Node scenario shares; the Java twin is
// bench/src/main/java/dev/herd/bench/scenarios/Rounds.java, line for line.
//
// Arguments: N (workload size), W (untimed warm-up rounds), T (timed rounds). Rounds run one after
// another, each started by a setImmediate so that no round starts inside the previous one's last
// callback. Every round reports its metrics and checks to a Sample; at the end the program prints
//   METRIC <name> <median over the T timed rounds>
//   CHECK <name> ok | CHECK <name> fail <detail of the first failing round>
// (checks count in warm-up rounds too) and exits with code 1 if a check failed.

function parseArgs(argv) {
  if (argv.length !== 3) throw new Error(`usage: <N> <warmup rounds> <timed rounds>, got [${argv.join(' ')}]`);
  const [n, warmup, timed] = argv.map((a) => {
    const v = Number(a);
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`not a count: ${a}`);
    return v;
  });
  if (n < 1 || timed < 1) throw new Error('N and timed rounds must be at least 1');
  return { n, warmup, timed };
}

class Sample {
  constructor() {
    this.metrics = new Map();
    this.failures = new Map(); // check name -> detail of its failure, or null when it passed
  }

  metric(name, value) {
    this.metrics.set(name, value);
  }

  check(name, ok, detail) {
    if (!this.failures.has(name) || this.failures.get(name) === null) {
      this.failures.set(name, ok ? null : detail);
    }
  }
}

function median(values) {
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// round(n, sample, done): starts one round of size n; calls done() once when it is over.
function run(round) {
  const { n, warmup, timed } = parseArgs(process.argv.slice(2));
  const timedSamples = [];
  const checks = new Map(); // name -> first failure detail, or null

  function report() {
    for (const name of timedSamples[0].metrics.keys()) {
      console.log(`METRIC ${name} ${median(timedSamples.map((s) => s.metrics.get(name)))}`);
    }
    let failed = false;
    for (const [name, failure] of checks) {
      console.log(failure === null ? `CHECK ${name} ok` : `CHECK ${name} fail ${failure}`);
      if (failure !== null) failed = true;
    }
    if (failed) process.exitCode = 1;
  }

  function runRound(index) {
    if (index === warmup + timed) {
      report();
      return;
    }
    const sample = new Sample();
    let finished = false;
    round(n, sample, () => {
      if (finished) throw new Error(`round ${index} finished twice`);
      finished = true;
      if (index >= warmup) timedSamples.push(sample);
      for (const [name, failure] of sample.failures) {
        if (!checks.has(name) || checks.get(name) === null) {
          checks.set(name, failure === null ? null : `round ${index}: ${failure}`);
        }
      }
      setImmediate(() => runRound(index + 1));
    });
  }

  runRound(0);
}

// Ends the program at once after printing `CHECK <check> fail <detail>`: for what a round cannot
// recover from (a server that cannot listen, a round over its time limit).
function abort(check, detail) {
  console.log(`CHECK ${check} fail ${detail}`);
  process.exit(1);
}

// Monotonic nanoseconds as a Number (exact: uptime stays far below 2^53 ns).
function nowNs() {
  return Number(process.hrtime.bigint());
}

module.exports = { run, nowNs, abort, median };
