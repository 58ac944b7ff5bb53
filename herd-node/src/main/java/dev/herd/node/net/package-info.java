/**
 * Node's {@code net} module: TCP and Unix-socket servers and sockets ({@link
 * dev.herd.node.net.Net}, {@link dev.herd.node.net.Server}, {@link dev.herd.node.net.Socket}) over
 * the io layer's streams, with Node's events, errors and defaults. In a cluster worker a server's
 * {@code listen} goes through the primary (see {@code dev.herd.node.cluster}).
 */
package dev.herd.node.net;
