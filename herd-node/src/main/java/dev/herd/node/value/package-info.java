/**
 * The value model: which Java objects stand for which JavaScript values in a message, one mapping
 * shared by JSON, V8 serialization and the structured clone ({@link
 * dev.herd.node.value.Values} holds the table). Types for JavaScript values that Java lacks
 * ({@link dev.herd.node.value.Undefined}, {@link dev.herd.node.value.JsArray} with holes, {@link
 * dev.herd.node.value.TypedArray}, {@link dev.herd.node.value.ArrayBuffer}, ...), the structured
 * clone of worker_threads ({@link dev.herd.node.value.StructuredClone}), and {@link
 * dev.herd.node.value.Message}, a received message that binds to a Java type. See docs/values.md.
 */
package dev.herd.node.value;
