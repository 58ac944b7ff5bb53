package dev.herd.node.http;

/** What {@link Http#createServer(RequestListener)} calls for each request: Node's {@code (req, res) => ...}. */
@FunctionalInterface
public interface RequestListener {
    void onRequest(IncomingMessage req, ServerResponse res);
}
