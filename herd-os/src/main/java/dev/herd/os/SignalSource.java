package dev.herd.os;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The safe way to observe process signals inside a JVM: a bridge over {@code sun.misc.Signal}
 * (module {@code jdk.unsupported}). HotSpot's own native handler records the signal and its
 * "Signal Dispatcher" thread runs Java code; we never install a native handler ourselves, because
 * an FFM upcall from an arbitrary signal context crashes the JVM.
 *
 * <p><b>Delivery thread.</b> A listener runs on a thread the JVM starts for each delivery (named
 * like {@code "SIGUSR2 handler"}), never on the thread that was interrupted. Deliveries may
 * therefore run concurrently with each other and with anything else: a listener should only hand
 * the signal over (the loop layer forwards it to its loop thread) and must not block. Standard
 * signals are not queued by the kernel, so several sent close together may arrive as one.
 * Listeners of one signal run in registration order; one that throws is reported to the thread's
 * uncaught-exception handler and does not stop the others.
 *
 * <p><b>Lifetime.</b> The first {@link #watch} of a signal replaces its handler; when the last
 * {@link Registration} for it is closed, the handler that was there before is restored, so SIGINT,
 * SIGTERM and SIGHUP go back to the JVM's shutdown behaviour and SIGPIPE/SIGXFSZ to HotSpot's
 * ignoring handler. While a signal is watched, nothing else in the process should call
 * {@code sun.misc.Signal.handle} for it.
 *
 * <p><b>Refused signals.</b> SIGKILL and SIGSTOP cannot be caught; the VM keeps SIGQUIT (thread
 * dumps), SIGSEGV, SIGFPE and SIGILL; SIGBUS is refused here because HotSpot needs it to turn
 * faults on mapped memory into exceptions. Caution: on Linux HotSpot uses SIGUSR2 to suspend threads
 * (JFR's sampler); watching SIGUSR2 takes that over until the watch ends, so do not combine it with
 * JFR. A JVM started with {@code -Xrs} refuses SIGINT, SIGTERM and SIGHUP.
 *
 * <p>Thread rule: all methods are safe on any thread.
 */
public final class SignalSource {
    private SignalSource() {}

    /** Signals the JVM cannot or must not give up (beyond those the VM itself refuses). */
    private static final Set<Integer> REFUSED = Set.of(Signals.SIGKILL, Signals.SIGSTOP, Signals.SIGQUIT,
            Signals.SIGSEGV, Signals.SIGFPE, Signals.SIGILL, Signals.SIGBUS);

    /** One watched signal: our handler, the one it replaced, and the live registrations. */
    private static final class Watched {
        final Signal signal;
        final CopyOnWriteArrayList<Reg> regs = new CopyOnWriteArrayList<>();
        SignalHandler previous;

        Watched(Signal signal) {
            this.signal = signal;
        }

        void dispatch() {
            for (Reg r : regs) {
                try {
                    r.listener.accept(r.signum);
                } catch (RuntimeException | Error e) {
                    Thread t = Thread.currentThread();
                    t.getUncaughtExceptionHandler().uncaughtException(t, e);
                }
            }
        }
    }

    /** Guarded by the class lock. */
    private static final Map<Integer, Watched> WATCHED = new HashMap<>();

    /**
     * A live watch of one signal by one listener, from {@link #watch} until {@link #close()}.
     * Closing is idempotent and may happen on any thread, including inside the listener; the last
     * close for a signal restores the signal's previous handler. A delivery already under way when
     * it closes may still reach the listener once.
     */
    public interface Registration extends AutoCloseable {
        /** {@return the signal number watched} */
        int signum();

        /** Stops delivery to this listener; later calls do nothing. */
        @Override
        void close();
    }

    private static final class Reg implements Registration {
        final int signum;
        final IntConsumer listener;
        private volatile boolean closed; // written under the class lock

        Reg(int signum, IntConsumer listener) {
            this.signum = signum;
            this.listener = listener;
        }

        @Override
        public int signum() {
            return signum;
        }

        @Override
        public void close() {
            unwatch(this);
        }

        @Override
        public String toString() {
            return "SignalSource.Registration(" + Signals.name(signum) + (closed ? ", closed)" : ")");
        }
    }

    /**
     * Calls {@code listener} with {@code signum} each time the process receives that signal, on a
     * JVM signal-delivery thread (see the class comment), until the returned registration is
     * closed.
     *
     * @param signum the signal number
     * @param listener called with the signal number on each delivery
     * @return the registration; closing it stops the calls
     * @throws IllegalArgumentException if {@code signum} is not a signal in {@link Signals}, or
     *     cannot be caught in a JVM (see "Refused signals")
     */
    public static Registration watch(int signum, IntConsumer listener) {
        Objects.requireNonNull(listener, "listener");
        String name = Signals.name(signum);
        if (name == null) throw new IllegalArgumentException("unknown signal: " + signum);
        if (REFUSED.contains(signum)) {
            throw new IllegalArgumentException(name + " cannot be watched inside a JVM");
        }
        Reg reg = new Reg(signum, listener);
        synchronized (SignalSource.class) {
            Watched w = WATCHED.get(signum);
            if (w == null) {
                w = new Watched(new Signal(name.substring(3)));
                Watched installed = w;
                // A signal the process inherited as ignored (a background job's SIGINT) is one
                // HotSpot refuses to take over; Node's libuv installs its handler regardless. Reset
                // it to the default first, and give the ignore back when the last watch ends.
                boolean wasIgnored = Sys.isSignalIgnored(signum);
                if (wasIgnored) Sys.setSignalDefault(signum);
                try {
                    w.previous = Signal.handle(w.signal, sig -> installed.dispatch());
                    if (wasIgnored) w.previous = SignalHandler.SIG_IGN;
                } catch (IllegalArgumentException e) {
                    if (wasIgnored) Sys.setSignalIgnored(signum);
                    throw new IllegalArgumentException(name + " cannot be watched inside this JVM: " + e.getMessage(), e);
                }
                WATCHED.put(signum, w);
            }
            w.regs.add(reg);
        }
        return reg;
    }

    /**
     * Gives {@code signum}, whenever nobody watches it, Node's default action: the process ends by
     * the signal (its wait status says "killed by SIGTERM"), where the JVM's own handler would run
     * an orderly shutdown and exit with code 128 + n. A signal the process inherited as ignored
     * stays ignored; a JVM started with {@code -Xrs} keeps its behaviour. Meant for a program's
     * entry point (Herd.run); calling it again does nothing more.
     *
     * @param signum the signal number
     */
    public static synchronized void terminateByDefault(int signum) {
        String name = Signals.name(signum);
        if (name == null || REFUSED.contains(signum)) throw new IllegalArgumentException("not a catchable signal: " + signum);
        SignalHandler die = sig -> {
            // Back to the kernel's action for the signal, then send it to ourselves: the process
            // ends at once, as a Node process without a listener does (no shutdown hooks).
            Sys.setSignalDefault(signum);
            Proc.kill(Proc.getpid(), signum);
        };
        Watched w = WATCHED.get(signum);
        if (w != null) {
            if (w.previous != SignalHandler.SIG_IGN) w.previous = die; // in force once the last watch ends
            return;
        }
        if (inheritedIgnored(signum)) return;
        try {
            Signal.handle(new Signal(name.substring(3)), die);
        } catch (IllegalArgumentException refused) {
            // -Xrs, or a signal this JVM keeps: its own behaviour stays
        }
    }

    /**
     * Whether {@code signum} is ignored, from /proc/self/status's SigIgn mask: reading it needs no
     * sigaction downcall, which a program's start would otherwise pay for
     * (docs/studies/2026-12-03-jvm-flags.md, "What changed at start-up").
     */
    static boolean inheritedIgnored(int signum) {
        try (var in = new java.io.FileInputStream("/proc/self/status")) {
            String status = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            int i = status.indexOf("\nSigIgn:");
            if (i < 0) return Sys.isSignalIgnored(signum);
            int end = status.indexOf('\n', i + 1);
            long mask = Long.parseUnsignedLong(status.substring(i + 8, end < 0 ? status.length() : end).trim(), 16);
            return (mask & (1L << (signum - 1))) != 0;
        } catch (java.io.IOException | NumberFormatException e) {
            return Sys.isSignalIgnored(signum);
        }
    }

    /**
     * Whether {@code signum} has at least one open registration (for tests and diagnostics).
     *
     * @param signum the signal number
     * @return whether it has at least one open registration
     */
    public static synchronized boolean isWatched(int signum) {
        return WATCHED.containsKey(signum);
    }

    private static synchronized void unwatch(Reg reg) {
        if (reg.closed) return;
        reg.closed = true;
        Watched w = WATCHED.get(reg.signum);
        if (w == null) return;
        w.regs.remove(reg);
        if (w.regs.isEmpty()) {
            WATCHED.remove(reg.signum);
            Signal.handle(w.signal, w.previous);
        }
    }
}
