// Delays that decide an order differ by 5 ms or more, so the order does not depend on timing.
// The same program as NodeParityTest.ordering(): every line it prints must match Herd's.
const log = (s) => console.log(s);
log('main');
process.nextTick(() => {
  log('tick1');
  process.nextTick(() => log('tick1.1'));
  queueMicrotask(() => log('micro-from-tick1'));
});
queueMicrotask(() => {
  log('micro1');
  process.nextTick(() => log('tick-from-micro1'));
  queueMicrotask(() => log('micro1.1'));
});
setTimeout(() => {
  log('timeout10-a');
  process.nextTick(() => log('tick-in-timeout'));
  queueMicrotask(() => log('micro-in-timeout'));
  setImmediate(() => log('immediate-from-timeout'));
  setTimeout(() => log('timeout0-from-timeout'), 0);
}, 10);
setTimeout(() => log('timeout20'), 20);
setTimeout(() => {
  log('timeout30');
  setImmediate(() => {
    log('imm-a');
    process.nextTick(() => log('tick-in-imm-a'));
    setImmediate(() => log('imm-c-nested'));
  });
  setImmediate(() => log('imm-b'));
}, 30);
const iv = setInterval(() => {
  log('interval');
  if (++count === 3) clearInterval(iv);
}, 50);
let count = 0;
process.on('beforeExit', (code) => {
  if (beforeExitSeen++) return;
  log('beforeExit ' + code);
  setTimeout(() => log('timeout-from-beforeExit'), 1);
});
let beforeExitSeen = 0;
process.on('exit', (code) => log('exit ' + code));
