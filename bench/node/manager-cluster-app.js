'use strict';
// The app of the manager-cluster-* scenarios, the same script under `herd start -i 2` and
// `pm2 start -i 2`: an HTTP server on the port (and host) in its arguments, answering
// 'hello world\n' with X-Worker: its instance number (NODE_APP_INSTANCE, set by both managers),
// so that the load can count which instance served what.
//   node manager-cluster-app.js PORT [HOST]
const http = require('http');

const id = String(process.env.NODE_APP_INSTANCE);
http.createServer((req, res) => {
  res.setHeader('X-Worker', id);
  res.end('hello world\n');
}).listen(Number(process.argv[2]), process.argv[3]);
