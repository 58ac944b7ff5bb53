'use strict';
// The Node side of Herd's V8/IPC interop tests (run with --expose-internals, so that it uses Node's
// own lib/internal/child_process/serialization.js: ChildProcessSerializer, ChildProcessDeserializer
// and both modes' framing, exactly as a channel does).
// Requests on stdin and replies on stdout are [op or status: 1 byte][length: 4 bytes BE][body].
// Replies: 'K' + body, or 'X' + error text.
const v8 = require('v8');
const { advanced, json } = require('internal/child_process/serialization');

// A stand-in for the channel handle: captures what writeChannelMessage writes.
function capture(mode, message) {
  let out;
  const channel = {
    writeBuffer(req, buf) { out = Buffer.from(buf); return 0; },
    writeUtf8String(req, s) { out = Buffer.from(s, 'utf8'); return 0; },
  };
  mode.writeChannelMessage(channel, {}, message, undefined);
  return out;
}

// Parses bytes as a channel reading them would, in chunks of the given size (0 = one chunk).
function parse(mode, bytes, chunk) {
  const channel = {};
  mode.initMessageChannel(channel);
  const messages = [];
  const size = chunk || bytes.length || 1;
  for (let i = 0; i < bytes.length; i += size) {
    for (const m of mode.parseChannelMessages(channel, bytes.subarray(i, i + size))) messages.push(m);
  }
  return messages;
}

// V8 deserializes dense arrays as holey ones, which it would write back in the sparse form; this
// rebuilds every hole-free array as a packed one, keeping shared and circular references, so that
// re-encoding shows what V8 writes for the value itself. The new array's elements are laid out as
// an array literal of these values would have them (an int32 as a small integer; all doubles when
// every element is a number and one is not an int32), whatever V8's allocation-site feedback for
// this function has learnt from earlier arrays.
const MARKER = {};
const isInt32 = (x) => typeof x === 'number' && Object.is(x | 0, x);

function repack(v, memo = new Map()) {
  if (v === null || typeof v !== 'object') return v;
  if (memo.has(v)) return memo.get(v);
  if (Array.isArray(v)) {
    let holes = false;
    for (let i = 0; i < v.length; i++) if (!(i in v)) { holes = true; break; }
    if (holes) {
      memo.set(v, v);
      for (const k of Object.keys(v)) v[k] = repack(v[k], memo);
      return v;
    }
    // Object elements from the start (Array.from has no allocation site), handed out before the
    // elements are repacked since they may refer back to it.
    const result = Array.from([MARKER]);
    memo.set(v, result);
    const elements = [];
    for (let i = 0; i < v.length; i++) elements.push(repack(v[i], memo));
    if (elements.every((e) => typeof e === 'number')) {
      // Numbers only (so nothing refers to result): small integers, or all doubles.
      const numbers = elements.every(isInt32) ? Array.from(elements, (x) => x | 0) : Array.from(elements, (x) => x);
      memo.set(v, numbers);
      return numbers;
    }
    for (const e of elements) result.push(isInt32(e) ? e | 0 : e);
    result.shift();
    return result;
  }
  if (v instanceof Map) {
    const m = new Map();
    memo.set(v, m);
    for (const [k, x] of v) m.set(repack(k, memo), repack(x, memo));
    return m;
  }
  if (v instanceof Set) {
    const s = new Set();
    memo.set(v, s);
    for (const x of v) s.add(repack(x, memo));
    return s;
  }
  memo.set(v, v);
  if (v instanceof Error) {
    if (Object.hasOwn(v, 'cause')) v.cause = repack(v.cause, memo);
    return v;
  }
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date || v instanceof RegExp) return v;
  for (const k of Object.keys(v)) v[k] = repack(v[k], memo);
  return v;
}

function evaluate(source) {
  return (0, eval)('(' + source + ')');
}

function handle(op, body) {
  switch (op) {
    case 'F': { // an advanced frame: read it as a channel does, write the value back as a channel does
      const messages = parse(advanced, body, 0);
      if (messages.length !== 1) throw new Error(`expected one message, got ${messages.length}`);
      return capture(advanced, repack(messages[0]));
    }
    case 'f': { // advanced frames fed in chunks of body[0] bytes: the values written back, one frame each
      const messages = parse(advanced, body.subarray(1), body[0]);
      return Buffer.concat(messages.map((m) => capture(advanced, repack(m))));
    }
    case 'V': // v8.deserialize, then v8.serialize
      return v8.serialize(repack(v8.deserialize(body)));
    case 'E': // a JavaScript expression, written as an advanced frame
      return capture(advanced, evaluate(body.toString('utf8')));
    case 'e': // a JavaScript expression, written by v8.serialize
      return v8.serialize(evaluate(body.toString('utf8')));
    case 'J': // a JavaScript expression, written as a JSON-mode line
      return capture(json, evaluate(body.toString('utf8')));
    case 'j': { // JSON-mode bytes fed in chunks of body[0] bytes: the messages as one JSON array
      const messages = parse(json, body.subarray(1), body[0]);
      return Buffer.from(JSON.stringify(messages), 'utf8');
    }
    case 'S': { // a JavaScript expression, compared with the v8 payload that follows: deep-strict-equal
      // to its value, or, when it is a function, true when called with the payload's value
      const util = require('util');
      const n = body.readUInt32BE(0);
      const expected = evaluate(body.subarray(4, 4 + n).toString('utf8'));
      const actual = v8.deserialize(body.subarray(4 + n));
      const ok = typeof expected === 'function' ? expected(actual) === true : util.isDeepStrictEqual(actual, expected);
      return Buffer.from(ok ? 'equal' : 'differ: ' + util.inspect(actual, { depth: 3 }) + ' vs ' + util.inspect(expected, { depth: 3 }));
    }
    default:
      throw new Error('unknown op ' + op);
  }
}

let pending = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 5) {
    const n = pending.readUInt32BE(1);
    if (pending.length < 5 + n) break;
    const op = String.fromCharCode(pending[0]);
    const body = pending.subarray(5, 5 + n);
    pending = pending.subarray(5 + n);
    let status = 'K';
    let out;
    try {
      out = handle(op, body);
    } catch (e) {
      status = 'X';
      out = Buffer.from(String(e && e.stack || e), 'utf8');
    }
    const head = Buffer.alloc(5);
    head[0] = status.charCodeAt(0);
    head.writeUInt32BE(out.length, 1);
    process.stdout.write(Buffer.concat([head, out]));
  }
});
