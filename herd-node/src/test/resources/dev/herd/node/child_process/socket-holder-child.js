'use strict';
// A Node child for SocketListTest (test-child-process-fork-getconnections.js): holds every
// net.Socket it is sent; "close" destroys the two oldest it holds and answers "closed" once they
// are closed; "ping" is answered "pong"; "keys" is answered with the `key` of every NODE_HANDLE
// envelope it got (null where there was none); exits 0 on 'disconnect'.
const held = [];
const keys = [];
process.on('internalMessage', (m) => {
  if (m.cmd === 'NODE_HANDLE') keys.push(m.key === undefined ? null : m.key);
});
process.on('message', (m, handle) => {
  if (m === 'hold') held.push(handle);
  else if (m === 'ping') process.send('pong');
  else if (m === 'keys') process.send(keys);
  else if (m === 'close') {
    const two = held.splice(0, 2);
    let left = two.length;
    for (const s of two) s.on('close', () => { if (--left === 0) process.send('closed'); }).destroy();
  }
});
process.on('disconnect', () => process.exit(0));
