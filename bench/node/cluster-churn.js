'use strict';
// cluster-churn: Node's cluster hello world with the restart-on-exit pattern, the peer of Herd's
// cluster-http example (which replaces a worker that dies): node cluster-churn.js [--workers N]
// [--port P] [--host H]. The primary prints a line containing "listening" once the first workers
// listen and forks a replacement whenever a worker exits; the bench runner SIGKILLs workers under
// wrk (bench/src/main/java/dev/herd/bench/Churn.java) and stops the primary with SIGTERM.
const cluster = require('cluster');
const http = require('http');

const argv = process.argv.slice(2);
let workers = 2;
let port = 8000;
let host;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--workers') workers = Number(argv[++i]);
  else if (argv[i] === '--port') port = Number(argv[++i]);
  else if (argv[i] === '--host') host = argv[++i];
  else {
    console.error('usage: cluster-churn.js [--workers N] [--port P] [--host H]');
    process.exit(2);
  }
}

if (cluster.isPrimary) {
  let listening = 0;
  let stopping = false;
  cluster.on('listening', (worker, address) => {
    if (++listening === workers) {
      console.log(`cluster-churn listening on ${address.address}:${address.port} with ${workers} workers (pid ${process.pid})`);
    }
  });
  cluster.on('exit', (worker) => {
    if (!stopping && !worker.exitedAfterDisconnect) cluster.fork();
  });
  process.on('SIGTERM', () => {
    stopping = true;
    cluster.disconnect(() => process.exit(0));
  });
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  http.createServer((req, res) => res.end('hello world\n')).listen(port, host);
}
