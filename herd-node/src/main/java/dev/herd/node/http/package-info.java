/**
 * Node's {@code http} module: an HTTP/1.1 server ({@link dev.herd.node.http.Http#createServer},
 * {@link dev.herd.node.http.HttpServer}, {@link dev.herd.node.http.IncomingMessage}, {@link
 * dev.herd.node.http.ServerResponse}) and client ({@link dev.herd.node.http.Http#request}, {@link
 * dev.herd.node.http.ClientRequest}, {@link dev.herd.node.http.Agent}) on {@code net} sockets, with
 * Node's keep-alive, timeouts and header rules. Requests are parsed by Jetty's standalone
 * {@code HttpParser}.
 */
package dev.herd.node.http;
