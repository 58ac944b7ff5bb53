'use strict';
// A parent that writes half an IPC frame on its child's channel and closes the channel, as a
// parent dying mid-write leaves it. Usage: node half-frame-parent.js json|advanced COMMAND ARGS...
// Prints the child's exit as {"code": ..., "signal": ...}.
const { spawn } = require('child_process');
const [mode, file, ...args] = process.argv.slice(2);
const env = { ...process.env, NODE_CHANNEL_FD: '3', NODE_CHANNEL_SERIALIZATION_MODE: mode };
const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'pipe'], env });
const channel = child.stdio[3];
channel.on('error', () => {});
if (mode === 'json') {
  channel.end('{"half":"a mess');
} else {
  const frame = Buffer.alloc(14, 0xff);
  frame.writeUInt32BE(100, 0); // 100 payload bytes announced, 10 sent
  channel.end(frame);
}
child.on('exit', (code, signal) => console.log(JSON.stringify({ code, signal })));
