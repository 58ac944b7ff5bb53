'use strict';
// The child ipc-handles.js forks: says 'ready', then answers every net.Socket it is sent with
// "ok\n" and ends it, reading it to its end (resume) so that it closes once the client has closed
// its side too. It ends when the parent disconnects.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/IpcHandlesChild.java
process.on('message', (m, socket) => {
  if (socket) socket.resume().end('ok\n');
});
process.send('ready');
