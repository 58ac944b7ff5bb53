package dev.herd.node.value;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A JavaScript {@code Error} received from another process or thread: its {@code name}
 * ({@code Error}, {@code TypeError}, … — the prototype that the sender's serializer could name),
 * {@code message}, {@code stack} (the sender's stack text, or null) and {@code cause} (any value,
 * or {@link Undefined} when the error had none).
 *
 * <p>It is a {@link RuntimeException} so that it can be rethrown as is; it carries no Java stack
 * trace of its own (the interesting stack is the sender's, in {@link #stack()}). Any other
 * {@link Throwable} is sent as an Error of name {@code Error} whose stack text names the Java class
 * (see {@link #of(Throwable)}).
 *
 * <p>Immutable after construction; any thread.
 */
public final class JsError extends RuntimeException {
    /** The error's name. */
    private final String name;
    /** The sender's stack text, or null. */
    private final String stack;
    private final transient Object cause;

    /**
     * An Error as JavaScript has it.
     *
     * @param name the error's name ("TypeError")
     * @param message its message
     * @param stack the stack text, or null
     * @param cause the cause: any value, or {@link Undefined#INSTANCE} for none
     */
    public JsError(String name, String message, String stack, Object cause) {
        super(message, cause instanceof Throwable t ? t : null, false, false);
        this.name = Objects.requireNonNull(name, "name");
        this.stack = stack;
        this.cause = cause;
    }

    /**
     * An Error with the given name and message, no stack text and no cause.
     *
     * @param name the error's name ("TypeError")
     * @param message its message
     */
    public JsError(String name, String message) {
        this(name, message, null, Undefined.INSTANCE);
    }

    /**
     * The JavaScript error for any throwable: a JsError as is; anything else as an {@code Error}
     * whose stack text is formatted the way V8 formats one ({@code Name: message\n    at …}) from
     * the Java frames, with the cause chain converted the same way (a cause met a second time, in a
     * cyclic chain, ends it).
     *
     * @param t any throwable
     * @return its JavaScript error
     */
    public static JsError of(Throwable t) {
        if (t instanceof JsError js) {
            return js;
        }
        // The chain up to a JsError, its end or a cause met before (Java allows a -> b -> a; an
        // immutable JsError cannot, so a cycle ends there), converted innermost first: no
        // recursion, however long the chain.
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Throwable c = t;
        while (c != null && !(c instanceof JsError) && seen.add(c)) {
            chain.add(c);
            c = c.getCause();
        }
        Object cause = c instanceof JsError js ? js : Undefined.INSTANCE;
        for (int i = chain.size() - 1; i >= 0; i--) {
            cause = convert(chain.get(i), cause);
        }
        return (JsError) cause;
    }

    private static JsError convert(Throwable t, Object cause) {
        StringBuilder stack = new StringBuilder(t.getClass().getSimpleName());
        if (t.getMessage() != null) {
            stack.append(": ").append(t.getMessage());
        }
        for (StackTraceElement e : t.getStackTrace()) {
            stack.append("\n    at ").append(e.getClassName()).append('.').append(e.getMethodName())
                    .append(" (").append(e.getFileName() == null ? "unknown" : e.getFileName());
            if (e.getLineNumber() >= 0) {
                stack.append(':').append(e.getLineNumber());
            }
            stack.append(')');
        }
        return new JsError("Error", t.getMessage() == null ? "" : t.getMessage(), stack.toString(), cause);
    }

    /**
     * {@return the error's name: {@code Error}, {@code EvalError}, {@code RangeError}, {@code ReferenceError}, {@code SyntaxError}, {@code TypeError} or {@code URIError}}
     */
    public String name() {
        return name;
    }

    /** The error's message ({@code ""} when it had none). */
    @Override
    public String getMessage() {
        String m = super.getMessage();
        return m == null ? "" : m;
    }

    /** {@return the sender's stack text, or null when it sent none} */
    public String stack() {
        return stack;
    }

    /** {@return the error's {@code cause}: any value, {@link Undefined#INSTANCE} when it had none} */
    public Object jsCause() {
        return cause;
    }

    @Override
    public String toString() {
        String m = getMessage();
        return m.isEmpty() ? name : name + ": " + m;
    }
}
