package dev.herd.node.http;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Node's {@code http} module: {@code import static dev.herd.node.http.Http.*;}, then
 * {@code createServer((req, res) -> res.end("hello world\n")).listen(8000)} for a server, or
 * {@code get(RequestOptions.builder().port(8000).build(), res -> ...)} for a client.
 *
 * <p>Thread rule: a Herd loop thread (the server belongs to that thread's environment).
 */
public final class Http {
    private Http() {}

    /** Node's default {@code maxHeaderSize}: request line and header fields together, in bytes. */
    public static final int MAX_HEADER_SIZE = 16 * 1024;

    /** Node's {@code http.STATUS_CODES}: the standard reason phrase of each status code. */
    public static final Map<Integer, String> STATUS_CODES = Map.ofEntries(
            Map.entry(100, "Continue"),
            Map.entry(101, "Switching Protocols"),
            Map.entry(102, "Processing"),
            Map.entry(103, "Early Hints"),
            Map.entry(200, "OK"),
            Map.entry(201, "Created"),
            Map.entry(202, "Accepted"),
            Map.entry(203, "Non-Authoritative Information"),
            Map.entry(204, "No Content"),
            Map.entry(205, "Reset Content"),
            Map.entry(206, "Partial Content"),
            Map.entry(207, "Multi-Status"),
            Map.entry(208, "Already Reported"),
            Map.entry(226, "IM Used"),
            Map.entry(300, "Multiple Choices"),
            Map.entry(301, "Moved Permanently"),
            Map.entry(302, "Found"),
            Map.entry(303, "See Other"),
            Map.entry(304, "Not Modified"),
            Map.entry(305, "Use Proxy"),
            Map.entry(307, "Temporary Redirect"),
            Map.entry(308, "Permanent Redirect"),
            Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"),
            Map.entry(402, "Payment Required"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"),
            Map.entry(406, "Not Acceptable"),
            Map.entry(407, "Proxy Authentication Required"),
            Map.entry(408, "Request Timeout"),
            Map.entry(409, "Conflict"),
            Map.entry(410, "Gone"),
            Map.entry(411, "Length Required"),
            Map.entry(412, "Precondition Failed"),
            Map.entry(413, "Payload Too Large"),
            Map.entry(414, "URI Too Long"),
            Map.entry(415, "Unsupported Media Type"),
            Map.entry(416, "Range Not Satisfiable"),
            Map.entry(417, "Expectation Failed"),
            Map.entry(418, "I'm a Teapot"),
            Map.entry(421, "Misdirected Request"),
            Map.entry(422, "Unprocessable Entity"),
            Map.entry(423, "Locked"),
            Map.entry(424, "Failed Dependency"),
            Map.entry(425, "Too Early"),
            Map.entry(426, "Upgrade Required"),
            Map.entry(428, "Precondition Required"),
            Map.entry(429, "Too Many Requests"),
            Map.entry(431, "Request Header Fields Too Large"),
            Map.entry(451, "Unavailable For Legal Reasons"),
            Map.entry(500, "Internal Server Error"),
            Map.entry(501, "Not Implemented"),
            Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"),
            Map.entry(505, "HTTP Version Not Supported"),
            Map.entry(506, "Variant Also Negotiates"),
            Map.entry(507, "Insufficient Storage"),
            Map.entry(508, "Loop Detected"),
            Map.entry(509, "Bandwidth Limit Exceeded"),
            Map.entry(510, "Not Extended"),
            Map.entry(511, "Network Authentication Required"));

    /** Node's {@code http.METHODS}, sorted. */
    public static final List<String> METHODS = List.of("ACL", "BIND", "CHECKOUT", "CONNECT", "COPY", "DELETE", "GET", "HEAD", "LINK", "LOCK", "M-SEARCH", "MERGE", "MKACTIVITY", "MKCALENDAR", "MKCOL", "MOVE", "NOTIFY", "OPTIONS", "PATCH", "POST", "PROPFIND", "PROPPATCH", "PURGE", "PUT", "QUERY", "REBIND", "REPORT", "SEARCH", "SOURCE", "SUBSCRIBE", "TRACE", "UNBIND", "UNLINK", "UNLOCK", "UNSUBSCRIBE");

    /**
     * {@code http.createServer(requestListener)}; the listener may be null.
     *
     * <p><b>As in Node, an exception thrown by the listener ends the process</b> (it is uncaught):
     * call {@link HttpServer#setErrorBoundary setErrorBoundary(true)} on the server to answer 500
     * and go on instead.
     *
     * @param requestListener gets each request and its response, or null
     * @return the server, not yet listening
     */
    public static HttpServer createServer(RequestListener requestListener) {
        return new HttpServer(requestListener);
    }

    /**
     * {@code http.request(options, callback)}: starts a request on a connection from the options'
     * agent; write the body and call {@link ClientRequest#end()}. {@code responseListener} (may be
     * null) is added as a once-listener for 'response'.
     *
     * @param options the request's target, method, headers and agent
     * @param responseListener gets the response, or null
     * @return the request
     */
    public static ClientRequest request(RequestOptions options, Consumer<IncomingMessage> responseListener) {
        return new ClientRequest(options, responseListener);
    }

    /**
     * {@code http.get(options, callback)}: {@link #request} and {@link ClientRequest#end()} at once.
     *
     * @param options the request's target, method, headers and agent
     * @param responseListener gets the response, or null
     * @return the request, ended
     */
    public static ClientRequest get(RequestOptions options, Consumer<IncomingMessage> responseListener) {
        ClientRequest req = request(options, responseListener);
        req.end();
        return req;
    }

    /** {@return Node's {@code http.globalAgent} of the calling environment} */
    public static Agent globalAgent() {
        return Agent.globalAgent();
    }

    /**
     * {@code http.createServer()}: add 'request' listeners with {@link HttpServer#on}.
     *
     * @return the server, not yet listening
     */
    public static HttpServer createServer() {
        return new HttpServer(null);
    }
}
