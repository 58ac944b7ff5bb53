package dev.herd.node.internal.ipc;

import dev.herd.node.value.SerializationException;
import java.util.ArrayList;
import java.util.List;

/** A {@link FrameDecoder.Sink} that keeps what it is given, in order, for assertions. */
class RecordingSink implements FrameDecoder.Sink {
    final List<Object> messages = new ArrayList<>();
    final List<SerializationException> badFrames = new ArrayList<>();
    final List<SerializationException> fatals = new ArrayList<>();
    /** Everything in arrival order: messages, and "bad: …" / "fatal: …" for errors. */
    final List<Object> events = new ArrayList<>();

    @Override
    public void message(Object message) {
        messages.add(message);
        events.add(message);
    }

    @Override
    public void badFrame(SerializationException error) {
        badFrames.add(error);
        events.add("bad: " + error.getMessage());
    }

    @Override
    public void fatal(SerializationException error) {
        fatals.add(error);
        events.add("fatal: " + error.getMessage());
    }
}
