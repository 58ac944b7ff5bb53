'use strict';
// The app of the manager-cluster-* scenarios, the same script under `herd start -i 2` and
// `pm2 start -i 2`: an HTTP server on the port (and host) in its arguments, answering
// 'hello world\n' with X-Worker: its instance number (NODE_APP_INSTANCE, set by both managers),
// so that the load can count which instance served what. A third argument names a marker file:
// when it says 'crash' the app exits at start, 'noready' it never listens (manager-reload-bad).
//   node manager-cluster-app.js PORT [HOST [MARKER]]
const fs = require('fs');
const http = require('http');

const deploy = process.argv[4] && fs.existsSync(process.argv[4]) ? fs.readFileSync(process.argv[4], 'utf8').trim() : '';
if (deploy === 'crash') process.exit(1);
if (deploy === 'noready') setInterval(() => {}, 1000);

const id = String(process.env.NODE_APP_INSTANCE);
const server = http.createServer((req, res) => {
  res.setHeader('X-Worker', id);
  res.end('hello world\n');
});
if (deploy !== 'noready') server.listen(Number(process.argv[2]), process.argv[3]);
