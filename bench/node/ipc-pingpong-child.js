'use strict';
// The child ipc-pingpong.js forks: says 'ready', then sends every message straight back; it ends
// when the parent disconnects.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/IpcPingpongChild.java
process.on('message', (m) => process.send(m));
process.send('ready');
