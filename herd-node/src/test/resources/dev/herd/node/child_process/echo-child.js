'use strict';
// A Node child for ForkTest: echoes messages as {echo, pid}; answers a passed server's
// connections and a passed socket with "hello from node <pid>"; "send-server" sends a listening
// server to the parent; exits 0 on 'disconnect'.
const net = require('net');
process.on('message', (m, handle) => {
  if (handle instanceof net.Server) handle.on('connection', (s) => s.end(`hello from node ${process.pid}\n`));
  else if (handle instanceof net.Socket) handle.end(`hello from node ${process.pid}\n`);
  if (m === 'send-server') {
    const server = net.createServer((s) => s.end("served by the child's server\n"));
    server.listen(0, '127.0.0.1', () => process.send('here is a server', server, () => server.close()));
    return;
  }
  process.send({ echo: m, pid: process.pid });
});
process.on('disconnect', () => process.exit(0));
