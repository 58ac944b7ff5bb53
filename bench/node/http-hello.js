'use strict';
// http-hello: Node's hello-world HTTP server, the peer of Herd's http-hello example
// (herd-cli/src/main/java/dev/herd/examples/HttpHello.java), with the same arguments:
// node http-hello.js [--port P] [--host H] (defaults 8000 and every address).
// Prints a line containing "listening" once it listens; the bench runner then loads it from
// outside (wrk, /proc/PID/status) and stops it with SIGTERM.
const http = require('http');

const argv = process.argv.slice(2);
let port = 8000;
let host; // undefined: every address, as Node's listen(port)
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--port') port = Number(argv[++i]);
  else if (argv[i] === '--host') host = argv[++i];
  else {
    console.error('usage: http-hello.js [--port P] [--host H]');
    process.exit(2);
  }
}
const server = http.createServer((q, s) => s.end('hello world\n')).listen(port, host, () => {
  console.log(`http-hello listening on ${JSON.stringify(server.address())} (pid ${process.pid})`);
});
