'use strict';
// The server of the manager-cluster-* scenarios on pm2's side: `pm2 start manager-cluster-app.js
// -i 2` in a PM2_HOME of its own, a line containing "listening" once both instances answer, and
// `pm2 kill` on SIGTERM. Arguments [--port P] [--host H], as every server scenario's program.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerCluster.java
const http = require('http');
const { Manager } = require('./manager-common');

const INSTANCES = 2;
const argv = process.argv.slice(2);
let port = 8000;
let host;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--port') port = Number(argv[++i]);
  else if (argv[i] === '--host') host = argv[++i];
  else throw new Error(`usage: [--port P] [--host H], got ${argv[i]}`);
}
const pm2 = new Manager();
process.removeAllListeners('SIGTERM');
process.on('SIGTERM', () => process.exit(0)); // the exit runs `pm2 kill`
pm2.start('manager-cluster-app.js', ['--name', 'mc', '-i', String(INSTANCES)], host ? [String(port), host] : [String(port)]);

// Both instances answer: new connections until each X-Worker was seen (or 30 s).
const seen = new Set();
const deadline = Date.now() + 30000;
function probe() {
  if (seen.size === INSTANCES) {
    console.log(`manager-cluster listening on ${host || '*'}:${port} with ${INSTANCES} instances (pm2)`);
    setInterval(() => {}, 1 << 30); // runs on until the runner's SIGTERM
    return;
  }
  if (Date.now() > deadline) {
    console.error(`manager-cluster: only instances ${[...seen]} answered within 30 s`);
    process.exit(1);
  }
  const req = http.get({ host: host || '127.0.0.1', port, agent: false }, (res) => {
    seen.add(res.headers['x-worker']);
    res.resume();
    res.on('end', probe);
  });
  req.on('error', () => setTimeout(probe, 20));
}
probe();
