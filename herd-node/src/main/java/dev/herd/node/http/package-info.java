/**
 * Node's {@code http} module: an HTTP/1.1 server ({@link dev.herd.node.http.Http#createServer},
 * {@link dev.herd.node.http.HttpServer}, {@link dev.herd.node.http.IncomingMessage}, {@link
 * dev.herd.node.http.ServerResponse}) and client ({@link dev.herd.node.http.Http#request}, {@link
 * dev.herd.node.http.ClientRequest}, {@link dev.herd.node.http.Agent}) on {@code net} sockets, with
 * Node's keep-alive, timeouts and header rules. Requests are parsed by Jetty's standalone
 * {@code HttpParser}.
 *
 * <p>Beside Node's API, the conveniences a Java user expects: {@link
 * dev.herd.node.http.IncomingMessage#readBody readBody} (the whole body, 413 past a limit), {@link
 * dev.herd.node.http.IncomingMessage#parsedUrl parsedUrl} and {@link
 * dev.herd.node.http.IncomingMessage#query query}, {@link dev.herd.node.http.ServerResponse#json
 * json}, and an opt-in per-request error boundary ({@link
 * dev.herd.node.http.HttpServer#setErrorBoundary}). <b>Without that boundary an exception thrown by
 * a request listener ends the process, as in Node.</b>
 */
package dev.herd.node.http;
