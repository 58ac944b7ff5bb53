'use strict';
// The server of the cluster balance scenarios (shared by cluster-share-rr.js and
// cluster-share-none.js): a primary with 2 workers that answer 'hello world\n' with a response
// header X-Worker: <worker id>, so that the load can count who served what. Arguments
// [--port P] [--host H]. The primary prints a line containing "listening" once both workers
// listen, and on SIGTERM disconnects them and exits.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ClusterShare.java
const cluster = require('cluster');
const http = require('http');

const WORKERS = 2;

function run(policy, policyName) {
  const argv = process.argv.slice(2);
  let port = 8000;
  let host; // undefined: every address, as Node's listen(port)
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') port = Number(argv[++i]);
    else if (argv[i] === '--host') host = argv[++i];
    else throw new Error(`usage: [--port P] [--host H], got ${argv[i]}`);
  }
  if (cluster.isPrimary) {
    // Before the first fork: that is when the policy is frozen.
    cluster.schedulingPolicy = policy;
    let listening = 0;
    cluster.on('listening', (worker, address) => {
      if (++listening !== WORKERS) return;
      console.log(`cluster-share listening on ${address.address}:${address.port} with ${WORKERS} workers (${policyName}, pid ${process.pid})`);
    });
    process.on('SIGTERM', () => cluster.disconnect(() => process.exit(0)));
    for (let i = 0; i < WORKERS; i++) cluster.fork();
  } else {
    const id = String(cluster.worker.id);
    http.createServer((req, res) => {
      res.setHeader('X-Worker', id);
      res.end('hello world\n');
    }).listen(port, host);
  }
}

module.exports = { run };
