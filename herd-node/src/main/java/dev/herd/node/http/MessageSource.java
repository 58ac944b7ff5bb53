package dev.herd.node.http;

import dev.herd.node.internal.Environment;
import dev.herd.node.net.Socket;

/**
 * What an {@link IncomingMessage} needs from the connection it arrived on: the server's
 * {@link HttpConnection} or a {@link ClientRequest}'s response side.
 *
 * <p>Thread rule: the loop thread.
 */
interface MessageSource {
    Environment env();

    /** The socket the message arrived on (a client's may have gone back to its agent since). */
    Socket socket();

    /** The message's unread body crossed its high-water mark ({@code pause}) or drained. */
    void bodyBackpressure(boolean pause);
}
