'use strict';
// The server of the manager-cluster-* scenarios on pm2's side: `pm2 start manager-cluster-app.js
// -i 2` in a PM2_HOME of its own, a line containing "listening" once both instances answer, and
// `pm2 kill` on SIGTERM. Arguments [--port P] [--host H], as every server scenario's program.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ManagerCluster.java
const { Manager, awaitAnswers } = require('./manager-common');

const INSTANCES = 2;
const argv = process.argv.slice(2);
let port = 8000;
let host;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--port') port = Number(argv[++i]);
  else if (argv[i] === '--host') host = argv[++i];
  else throw new Error(`usage: [--port P] [--host H], got ${argv[i]}`);
}
const pm2 = new Manager();
process.removeAllListeners('SIGTERM');
process.on('SIGTERM', () => process.exit(0)); // the exit runs `pm2 kill`
pm2.start('manager-cluster-app.js', ['--name', 'mc', '-i', String(INSTANCES)], host ? [String(port), host] : [String(port)]);

awaitAnswers(port, INSTANCES, () => {
  console.log(`manager-cluster listening on ${host || '*'}:${port} with ${INSTANCES} instances (pm2)`);
  setInterval(() => {}, 1 << 30); // runs on until the runner's SIGTERM
});
