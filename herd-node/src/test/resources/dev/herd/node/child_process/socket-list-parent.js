'use strict';
// A Node parent for SocketListTest: forks the child given by argv (a Herd main class run by
// the given `java`, or a Node script), sends it four accepted sockets and checks server.getConnections()
// and server.close() against the child (test-child-process-fork-getconnections.js). Prints
// {events, code} as one JSON line.
const { fork } = require('child_process');
const net = require('net');
const [kind, target, java, cp] = process.argv.slice(2);
const child = kind === 'herd'
  ? fork(target, [], { execPath: java, execArgv: ['--enable-native-access=ALL-UNNAMED', '-Xshare:auto',
      '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', cp] })
  : fork(target);
const N = 4;
const events = [];
const clients = [];
let sent = 0;
let phase = 0;
const server = net.createServer((s) => child.send('hold', s, () => {
  if (++sent === N) server.getConnections((e, n) => { events.push('count ' + n); child.send('close'); });
}));
server.listen(0, '127.0.0.1', () => {
  for (let i = 0; i < N; i++) clients.push(net.connect(server.address().port, '127.0.0.1').on('error', () => {}));
});
child.on('message', (m) => {
  if (m === 'closed' && phase++ === 0) {
    server.getConnections((e, n) => {
      events.push('count ' + n);
      server.close(() => {
        events.push('server closed');
        clients.forEach((c) => c.destroy());
        child.disconnect();
      });
      child.send('ping');
    });
  } else if (m === 'pong') {
    events.push('pong');
    child.send('close');
  }
});
child.on('exit', (code) => {
  console.log(JSON.stringify({ events, code }));
  process.exit(); // a child that died early must not leave the server waiting
});
