'use strict';
// The app of manager-log-flood, run under Herd's manager and under pm2 (the same script on both
// sides).
//   node manager-flood.js PORT SECONDS
// Connects to 127.0.0.1:PORT and writes its pid and a newline (the driver's reportServer), then
// writes lines of exactly 100 bytes ("<n> xxx...x\n", n counting from 0) to stdout as fast as the
// pipe takes them for SECONDS, writes the number of lines to the report connection, and idles.
const net = require('net');

const LINE = 100;
const port = Number(process.argv[2]);
const seconds = Number(process.argv[3]);
const socket = net.createConnection(port, '127.0.0.1', () => {
  socket.write(`${process.pid}\n`);
  flood();
});
socket.on('error', () => {});

function line(i) {
  const n = String(i);
  return `${n} ${'x'.repeat(LINE - n.length - 2)}\n`;
}

function flood() {
  const end = Date.now() + seconds * 1000;
  let count = 0;
  function write() {
    while (Date.now() < end) {
      let chunk = '';
      for (let k = 0; k < 100; k++) chunk += line(count++);
      if (!process.stdout.write(chunk)) {
        process.stdout.once('drain', write);
        return;
      }
    }
    socket.write(`${count}\n`);
  }
  write();
}
setInterval(() => {}, 1 << 30);
