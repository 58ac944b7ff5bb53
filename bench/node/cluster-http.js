'use strict';
// cluster-http: Node's cluster hello world, the peer of Herd's cluster-http example
// (herd-cli/src/main/java/dev/herd/examples/ClusterHttp.java) with the same arguments:
// node cluster-http.js [--workers N] [--port P] [--host H] (defaults 2 workers, port 8000, every address).
// The primary prints a line containing "listening" once every worker listens; the bench runner
// then loads the shared port from outside (wrk) and stops the primary with SIGTERM.
// NODE_CLUSTER_SCHED_POLICY=none|rr chooses the policy (default rr).
const cluster = require('cluster');
const http = require('http');

const argv = process.argv.slice(2);
let workers = 2;
let port = 8000;
let host; // undefined: every address, as Node's listen(port)
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--workers') workers = Number(argv[++i]);
  else if (argv[i] === '--port') port = Number(argv[++i]);
  else if (argv[i] === '--host') host = argv[++i];
  else {
    console.error('usage: cluster-http.js [--workers N] [--port P] [--host H]');
    process.exit(2);
  }
}

if (cluster.isPrimary) {
  let listening = 0;
  cluster.on('listening', (worker, address) => {
    if (++listening === workers) {
      console.log(`cluster-http listening on ${address.address}:${address.port} with ${workers} workers (pid ${process.pid})`);
    }
  });
  process.on('SIGTERM', () => cluster.disconnect(() => process.exit(0)));
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  http.createServer((req, res) => res.end('hello world\n')).listen(port, host);
}
