'use strict';
// The child ipc-oneway-1k.js forks: says 'ready', then counts the {seq, data} messages it gets and
// checks that seq counts up from 0; on {end: n} it answers {count, inOrder} for the round and
// starts counting again. It ends when the parent disconnects.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/IpcOneway1kChild.java
let count = 0;
let inOrder = true;
process.on('message', (m) => {
  if (m.end === undefined) {
    if (m.seq !== count) inOrder = false;
    count++;
    return;
  }
  process.send({ count, inOrder });
  count = 0;
  inOrder = true;
});
process.send('ready');
