package dev.herd.node.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpParser;

/**
 * What the server's and the client's Jetty parsers report the same way: a body chunk goes to the
 * message being received, and the end of the headers, the end of the message, a bad message and a
 * body that ends early are recorded as flags that the parse loop ({@code HttpConnection.onData},
 * {@code ClientRequest.onData}) acts on after each {@code parseNext} (Jetty calls back from inside
 * the parse; acting there would re-enter it).
 *
 * <p>Thread rule: the connection's loop thread. Lifetime: the connection's (server) or the
 * request's (client).
 */
abstract class ParserEvents implements HttpParser.HttpHandler {
    /** The headers of a message were parsed. */
    boolean sawHeaders;
    /** A whole message was parsed. */
    boolean sawMessageEnd;
    /** The body ended before its length or its last chunk (outside EOF, Jetty's bad chunking too). */
    boolean sawEarlyEof;
    /** The message is malformed; null when not. */
    HttpException sawBadMessage;

    /** {@return the message whose body is being parsed, or null to drop the chunk} */
    abstract IncomingMessage receiving();

    @Override
    public final boolean content(ByteBuffer content) {
        byte[] chunk = new byte[content.remaining()];
        content.get(chunk);
        IncomingMessage m = receiving();
        if (m != null) m.push(chunk);
        return false;
    }

    @Override
    public final boolean contentComplete() {
        return false;
    }

    @Override
    public final boolean messageComplete() {
        sawMessageEnd = true;
        return true;
    }

    @Override
    public final void earlyEOF() {
        sawEarlyEof = true;
    }

    @Override
    public final void badMessage(HttpException failure) {
        sawBadMessage = failure;
    }
}
