/**
 * Node's {@code v8.serialize} and {@code v8.deserialize}: V8's value serialization format, as
 * Node 20 writes and reads it ({@link dev.herd.node.v8.V8}, {@link dev.herd.node.v8.V8Serializer},
 * {@link dev.herd.node.v8.V8Deserializer}), over Herd's value model. It is the 'advanced'
 * serialization of the IPC channel. See docs/values.md.
 */
package dev.herd.node.v8;
