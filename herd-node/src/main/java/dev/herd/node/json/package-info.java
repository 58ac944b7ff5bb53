/**
 * {@code JSON.stringify} and {@code JSON.parse} over Herd's value model ({@link
 * dev.herd.node.json.Json}), byte for byte what Node 20 writes and accepts: the JSON mode of the
 * IPC channel, and JSON for programs. See docs/values.md.
 */
package dev.herd.node.json;
