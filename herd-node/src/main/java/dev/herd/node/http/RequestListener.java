package dev.herd.node.http;

/** What {@link Http#createServer(RequestListener)} calls for each request: Node's {@code (req, res) => ...}. */
@FunctionalInterface
public interface RequestListener {
    /**
     * Handles one request.
     *
     * @param req the request
     * @param res the response to it
     */
    void onRequest(IncomingMessage req, ServerResponse res);
}
