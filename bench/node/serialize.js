'use strict';
// serialize: encode + decode throughput of the two IPC serialization modes, each on a ~1 KiB
// object (an order with line items, as a cluster or worker message would be) and on a 1 MiB
// Buffer. JSON mode is JSON.stringify + JSON.parse (what process.send does in 'json' mode);
// advanced mode is v8.serialize + v8.deserialize (the V8 ValueSerializer that 'advanced' IPC and
// worker messages use). One op = one encode and one decode.
// Metrics: json_obj1k_ops_per_s, json_buf1m_ops_per_s, adv_obj1k_ops_per_s, adv_buf1m_ops_per_s.
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/Serialize.java
const v8 = require('v8');
const { run, nowNs } = require('./rounds');

// The same object as Serialize.order() builds in Java, key for key.
function order() {
  const items = [];
  for (let i = 0; i < 8; i++) {
    items.push({ sku: `SKU-${1000 + i}`, title: `Item number ${i}`, qty: i + 1, price: 9.99 + i, taxable: i % 2 === 0 });
  }
  return {
    id: 123456,
    status: 'paid',
    customer: { name: 'Ada Lovelace', email: 'ada@example.com', vip: true, since: 1843 },
    items,
    tags: ['priority', 'gift', 'export'],
    total: 987.65,
    createdAt: '2026-12-03T06:00:00.000Z',
    note: 'Leave at the door; ring twice. Fragile contents inside.',
  };
}

function timeOps(count, fn) {
  const start = nowNs();
  let sink = 0;
  for (let i = 0; i < count; i++) sink += fn();
  const ns = nowNs() - start;
  return { opsPerS: count / (ns / 1e9), sink };
}

function round(n, sample, done) {
  const obj = order();
  const buf = Buffer.alloc(1 << 20);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 31) & 0xff;
  const bufCount = Math.max(2, Math.floor(n / 2000));
  const advBufCount = Math.max(2, Math.floor(n / 100));

  const j1 = timeOps(n, () => JSON.parse(JSON.stringify(obj)).items.length);
  const j2 = timeOps(bufCount, () => JSON.parse(JSON.stringify(buf)).data.length);
  const a1 = timeOps(n, () => v8.deserialize(v8.serialize(obj)).items.length);
  const a2 = timeOps(advBufCount, () => v8.deserialize(v8.serialize(buf)).length);
  sample.metric('json_obj1k_ops_per_s', j1.opsPerS);
  sample.metric('json_buf1m_ops_per_s', j2.opsPerS);
  sample.metric('adv_obj1k_ops_per_s', a1.opsPerS);
  sample.metric('adv_buf1m_ops_per_s', a2.opsPerS);
  sample.check('json_size', Buffer.byteLength(JSON.stringify(obj)) > 900 && Buffer.byteLength(JSON.stringify(obj)) < 1200,
    `order() is ${Buffer.byteLength(JSON.stringify(obj))} bytes of JSON`);
  sample.check('decoded', j1.sink === 8 * n && j2.sink === bufCount << 20 && a1.sink === 8 * n && a2.sink === advBufCount << 20,
    'a decoded value differs from the encoded one');
  done();
}

run(round);
