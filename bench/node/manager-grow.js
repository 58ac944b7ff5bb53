'use strict';
// The app of manager-memory-limit, run under Herd's manager and under pm2 (the same script on both
// sides, started with --max-memory-restart).
//   node manager-grow.js PORT MIB_PER_S CAP_MIB
// Connects to 127.0.0.1:PORT and writes its pid and a newline (the driver's reportServer), then
// grows its resident memory by MIB_PER_S every second in ten steps (filled buffers, so the pages
// are resident) up to CAP_MIB more than it started with, and holds it.
const net = require('net');

const port = Number(process.argv[2]);
const perStep = Number(process.argv[3]) / 10;
const cap = Number(process.argv[4]);
const socket = net.createConnection(port, '127.0.0.1', () => socket.write(`${process.pid}\n`));
socket.on('error', () => {});
const held = [];
const grow = setInterval(() => {
  held.push(Buffer.alloc(perStep * 1024 * 1024, 1));
  if (held.length * perStep >= cap) clearInterval(grow);
}, 100);
setInterval(() => {}, 1 << 30);
