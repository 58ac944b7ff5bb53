'use strict';
// A Node parent that forks the Herd ipc-echo example and checks what comes back.
// argv: <json|advanced> <java executable> <class path> <scenario: echo|order|server|socket|disconnect>
// Prints one JSON line per check result ({"check":name,"ok":bool,"detail":...}) and {"exit":code,"signal":s}.
const { fork } = require('child_process');
const net = require('net');
const util = require('util');

const [mode, java, cp, scenario] = process.argv.slice(2);
const child = fork('dev.herd.examples.IpcEcho', [], {
  execPath: java,
  execArgv: ['--enable-native-access=ALL-UNNAMED', '-Xshare:auto', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', cp],
  serialization: mode,
});
const report = (check, ok, detail) => console.log(JSON.stringify({ check, ok, detail: ok ? undefined : util.inspect(detail, { depth: 4, maxStringLength: 200 }) }));
child.on('exit', (code, signal) => console.log(JSON.stringify({ exit: code, signal })));
child.on('error', (e) => report('child error', false, e));

// Replies come in order: a queue of expectations.
const waiting = [];
child.on('message', (m) => {
  const next = waiting.shift();
  if (next) next(m);
  else report('unexpected message', false, m);
});
function roundTrip(value, handle) {
  return new Promise((resolve) => {
    waiting.push(resolve);
    child.send(value, handle);
  });
}

const astral = '😀', lone = '\ud800';
const jsonValues = ['hello', '', { a: 1, b: [true, null], s: 'é€' + astral }, 42, -1, 3.5, 2 ** 31, 1e21, null, true,
  [1, 'x', [[]]], 'line\nbreak \u2028 ' + astral + lone, { 1: 'one', b: 2, 0: 'zero' }, 'x'.repeat(1 << 20)];
const advancedValues = [...jsonValues, { u: undefined }, [undefined], NaN, -0, new Date(0), new Date(1700000000123),
  new Map([[1, 'one'], ['k', { deep: [1] }]]), new Set(['s', 2]), { big: 10n, neg: -(2n ** 70n) },
  Buffer.from('hi'), new Uint8Array([1, 2, 3]), new Float64Array([1.5, -2]), new Int32Array([-7]),
  /ab+c/gi, [1, , 3], (() => { const o = { k: 1 }; return [o, o]; })(),
  (() => { const e = new TypeError('boom'); return e; })(), new ArrayBuffer(4)];

async function main() {
  if (scenario === 'echo') {
    const values = mode === 'advanced' ? advancedValues : jsonValues;
    for (const v of values) {
      const reply = await roundTrip(v);
      const expected = mode === 'json' ? JSON.parse(JSON.stringify(v)) : v;
      let ok = reply.pid === child.pid;
      if (v instanceof Error) ok = ok && reply.echo instanceof Error && reply.echo.message === v.message && reply.echo.name === v.name && reply.echo.stack === v.stack;
      else ok = ok && util.isDeepStrictEqual(reply.echo, expected);
      report('echo ' + util.inspect(v, { maxStringLength: 20 }).slice(0, 60), ok, reply);
    }
  } else if (scenario === 'order') {
    const n = 100000;
    let next = 0, bad = null;
    const all = new Promise((resolve) => {
      for (let i = 0; i < n; i++) waiting.push((m) => { if (m.echo.i !== next++ && bad === null) bad = m; if (next === n) resolve(); });
    });
    for (let i = 0; i < n; i++) child.send({ i });
    await all;
    report('100000 messages in order', bad === null && next === n, bad);
  } else if (scenario === 'server') {
    const server = net.createServer((s) => s.end('from the parent\n'));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const port = server.address().port;
    const reply = await roundTrip('take this server', server);
    report('server message echoed', reply.echo === 'take this server', reply);
    server.close(); // from now on only the child accepts on the shared socket
    for (let i = 0; i < 3; i++) {
      const line = await new Promise((resolve, reject) => {
        const c = net.connect(port, '127.0.0.1');
        let data = '';
        c.setEncoding('utf8');
        c.on('data', (d) => { data += d; });
        c.on('end', () => resolve(data));
        c.on('error', reject);
      });
      report('connection ' + i + ' answered by the child', line === `hello from herd ${child.pid}\n`, line);
    }
  } else if (scenario === 'socket') {
    const got = new Promise((resolve) => {
      const server = net.createServer(async (s) => {
        const reply = await roundTrip('take this socket', s);
        report('socket message echoed', reply.echo === 'take this socket', reply);
        server.close();
      });
      server.listen(0, '127.0.0.1', () => {
        const c = net.connect(server.address().port, '127.0.0.1');
        let data = '';
        c.setEncoding('utf8');
        c.on('data', (d) => { data += d; });
        c.on('end', () => resolve(data));
      });
    });
    const line = await got;
    report('the child answered on the passed socket', line === `hello from herd ${child.pid}\n`, line);
  }
  child.disconnect(); // the child exits 0 on 'disconnect'
}
main().catch((e) => { report('parent failed', false, e); child.kill(); });
