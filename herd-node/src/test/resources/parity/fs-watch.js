// fs.watch parity: the same steps as FsWatchTest.eventsMatchNodes, on the directory in argv[2].
// Watcher A watches directory "d", watcher B the file "f/app.js"; every step runs at once, so the
// events are queued in step order, and the two watchers share one inotify queue (libuv's, and
// Herd's, one descriptor per loop); "d/zz-end", made last, says all have arrived. Prints one
// line per 'change': "A rename a.txt".
const fs = require('fs');
const path = require('path');
const base = process.argv[2];
const d = path.join(base, 'd');
const f = path.join(base, 'f', 'app.js');
const lines = [];
const a = fs.watch(d, (type, name) => {
  lines.push(`A ${type} ${name}`);
  if (name === 'zz-end') {
    a.close();
    b.close();
    console.log(lines.join('\n'));
  }
});
const b = fs.watch(f, (type, name) => lines.push(`B ${type} ${name}`));

fs.writeFileSync(path.join(d, 'a.txt'), 'x');
fs.chmodSync(path.join(d, 'a.txt'), 0o600);
fs.renameSync(path.join(d, 'a.txt'), path.join(d, 'b.txt'));
fs.appendFileSync(path.join(d, 'b.txt'), 'y');
fs.mkdirSync(path.join(d, 'sub'));
fs.chmodSync(path.join(d, 'sub'), 0o700);
fs.rmdirSync(path.join(d, 'sub'));
fs.unlinkSync(path.join(d, 'b.txt'));
fs.appendFileSync(f, 'y');
fs.chmodSync(f, 0o600);
fs.renameSync(f, f + '.moved');
fs.appendFileSync(f + '.moved', 'z');
fs.unlinkSync(f + '.moved');
fs.writeFileSync(path.join(d, 'zz-end'), '');
