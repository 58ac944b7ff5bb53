'use strict';
// What the manager-* scenarios share on the pm2 side; the Herd twin is
// bench/src/main/java/dev/herd/bench/scenarios/ManagerDriver.java.
//
// pm2 is installed from npm into bench/pm2 (package.json pins 7.0.4) the first time it is missing.
// Each program gets a PM2_HOME of its own, made at start and removed at exit, and runs pm2's CLI
// as a user runs it (node_modules/.bin/pm2, a node script) with that home, one call at a time,
// synchronously. At exit -- a normal end, a failed check, an uncaught exception, SIGINT/SIGTERM
// from the runner -- it runs `pm2 kill`: a daemon left behind would be a defect of the benchmark.
//
// The apps (manager-app.js) report to a TCP server of the driver: each connects at start and
// writes its pid and a newline. That is the "answering" of a restarted app, without polling.
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const http = require('http');
const { spawn, spawnSync } = require('child_process');
const { abort } = require('./rounds');

const PM2_DIR = path.resolve(__dirname, '..', 'pm2');
const PM2_BIN = path.join(PM2_DIR, 'node_modules', 'pm2', 'bin', 'pm2');
const NODE_DIR = __dirname;
const CLK_TCK = 100; // Linux's USER_HZ, what /proc/PID/stat counts in

function ensurePm2() {
  if (fs.existsSync(PM2_BIN)) return;
  process.stderr.write(`manager: installing pm2 into ${PM2_DIR} (npm install)\n`);
  const r = spawnSync('npm', ['install', '--prefix', PM2_DIR, '--no-audit', '--no-fund'],
    { stdio: ['ignore', 2, 2] });
  if (r.status !== 0 || !fs.existsSync(PM2_BIN)) abort('pm2_installed', `npm install --prefix ${PM2_DIR} failed`);
}

class Manager {
  constructor() {
    ensurePm2();
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-bench-'));
    this.env = { ...process.env, PM2_HOME: this.home };
    let cleaned = false;
    const cleanup = () => {
      if (cleaned) return;
      cleaned = true;
      spawnSync(process.execPath, [PM2_BIN, 'kill'], { env: this.env, stdio: 'ignore', timeout: 30000 });
      fs.rmSync(this.home, { recursive: true, force: true });
    };
    process.on('exit', cleanup);
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(1));
  }

  // Runs `pm2 ARGS` to its exit; returns its stdout, or ends the program with a failed check.
  run(...args) {
    const r = spawnSync(process.execPath, [PM2_BIN, ...args], { env: this.env, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) abort('cli_ok', `pm2 ${args.join(' ')}: ${r.error || 'exit ' + r.status} ${r.stderr}`.trim());
    return r.stdout;
  }

  // `pm2 start` of a script under bench/node with the options, the app's arguments after `--`.
  start(script, options, appArgs) {
    return this.run('start', path.join(NODE_DIR, script), ...options, '--', ...appArgs);
  }

  // Runs `pm2 ARGS` as a process of its own (the program's loop goes on); onExit(code).
  runAsync(onExit, ...args) {
    spawn(process.execPath, [PM2_BIN, ...args], { env: this.env, stdio: 'ignore' }).on('exit', (code) => onExit(code));
  }

  // The pids of the manager's own processes: pm2's God daemon (it starts no other).
  managerPids() {
    return [Number(fs.readFileSync(path.join(this.home, 'pm2.pid'), 'utf8').trim())];
  }
}

// VmRSS of a process in MiB (0 when it is gone).
function rssMib(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

// utime + stime of a process in seconds (0 when it is gone); the fields after the command's ')'.
function cpuS(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

// A TCP server on 127.0.0.1 that calls onReport(pid) for every pid line an app writes; calls
// listening(port) once it listens. Its close() also ends the apps' connections, which would
// otherwise keep this program alive.
function reportServer(onReport, listening) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => {
      buffered += d;
      for (let nl; (nl = buffered.indexOf('\n')) >= 0;) {
        onReport(Number(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
      }
    });
    socket.on('error', () => {}); // an app killed with -9: its connection resets
  });
  server.on('error', (e) => abort('report_server', String(e)));
  server.listen(0, '127.0.0.1', () => listening(server.address().port));
  return {
    close() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

// A free TCP port on 127.0.0.1 (found by listening on port 0), to cb(port).
function freePort(cb) {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => cb(port));
  });
}

// New connections to 127.0.0.1:port until n instances' X-Worker headers were seen (or 30 s: the
// program ends with a failed check), then cb().
function awaitAnswers(port, n, cb) {
  const seen = new Set();
  const deadline = Date.now() + 30000;
  (function probe() {
    if (seen.size === n) return cb();
    if (Date.now() > deadline) abort('instances_answer', `only instances ${[...seen]} answered within 30 s`);
    const req = http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      seen.add(res.headers['x-worker']);
      res.resume();
      res.on('end', probe);
    });
    req.on('error', () => setTimeout(probe, 20));
  }());
}

// Whether the process is gone (or a zombie nobody reaped yet: it runs no more).
function gone(pid) {
  try {
    return /^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

// f(pid) summed over the pids (rssMib, cpuS over the manager's processes).
const sum = (pids, f) => pids.reduce((a, pid) => a + f(pid), 0);

// One phase of HTTP load (manager-reload, manager-reload-bad): `active` clients, each sending one
// request after another, on a new connection each (Connection: close) or on keep-alive ones. A
// request fails when its connection is refused, reset or closed before the whole response came,
// or it is unanswered for 5 s. Requests started in [windowStart, windowEnd] (nowNs) keep their
// latency; after a failure a client waits failurePauseMs before its next. The Herd twin is
// ManagerReload.Phase.
function loadPhase(port, keepAlive, active) {
  return { port, keepAlive, running: true, ok: 0, failed: 0, active, whenStopped: null,
    windowStart: Infinity, windowEnd: Infinity, latencies: [], failurePauseMs: 0 };
}

function loadClient(p) {
  if (!p.running) {
    if (--p.active === 0 && p.whenStopped) p.whenStopped();
    return;
  }
  let started = process.hrtime.bigint();
  const s = net.createConnection(p.port, '127.0.0.1');
  let input = '';
  let done = false;
  const request = () => {
    if (p.keepAlive) started = process.hrtime.bigint();
    s.write(p.keepAlive ? 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' : 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  };
  s.setTimeout(5000, () => s.destroy()); // a request left unanswered fails
  s.on('connect', request);
  s.on('data', (d) => {
    input += d.toString('latin1');
    const head = input.indexOf('\r\n\r\n');
    if (head < 0) return;
    const headers = input.slice(0, head);
    const m = /content-length:\s*(\d+)/i.exec(headers);
    if (!m || input.length < head + 4 + Number(m[1])) return;
    input = '';
    p.ok++;
    const t = Number(started);
    if (t >= p.windowStart && t <= p.windowEnd) p.latencies.push(Number(process.hrtime.bigint()) - t);
    if (!p.keepAlive || /connection:\s*close/i.test(headers)) { // as HTTP clients do: no request after Connection: close
      done = true;
      return; // the server closes; 'close' starts the next connection
    }
    if (p.running) request();
    else {
      done = true;
      s.destroy();
    }
  });
  s.on('error', () => {});
  s.on('close', () => {
    if (done) {
      loadClient(p);
      return;
    }
    p.failed++;
    if (p.failurePauseMs > 0) setTimeout(() => loadClient(p), p.failurePauseMs);
    else loadClient(p);
  });
}

// The nearest-rank p99 of latencies in ns, in ms (0 for none).
function p99Ms(ns) {
  if (ns.length === 0) return 0;
  const sorted = [...ns].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)] / 1e6;
}

module.exports = { loadPhase, loadClient, p99Ms, Manager, rssMib, cpuS, gone, sum, reportServer, freePort, awaitAnswers, NODE_DIR };
