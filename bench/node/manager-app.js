'use strict';
// The app the manager-* scenarios run under Herd's manager and under pm2 (the same script on both
// sides, started as a user would: `herd start` / `pm2 start` of this file).
//   node manager-app.js PORT [stubborn]
// Connects to 127.0.0.1:PORT and writes its pid and a newline (the driver's reportServer), then
// idles. With "stubborn" it ignores SIGINT, as a program that never stops by itself. If the
// driver is gone it idles all the same (exiting would make the manager restart it in a loop).
const net = require('net');

const port = Number(process.argv[2]);
if (process.argv[3] === 'stubborn') process.on('SIGINT', () => {});
const socket = net.createConnection(port, '127.0.0.1', () => socket.write(`${process.pid}\n`));
socket.on('error', () => {});
setInterval(() => {}, 1 << 30);
