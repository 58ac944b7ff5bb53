package dev.herd.os;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signal table for Linux x86_64: numbers as C constants, and the names Node uses
 * ({@code os.constants.signals}, checked against Node v20). Aliases (SIGIOT = SIGABRT, SIGPOLL =
 * SIGIO) map to the same number; {@link #name(int)} gives the canonical name, as Node's
 * {@code signo_string} does when it reports a child's {@code signalCode}.
 *
 * <p>Immutable; safe on any thread.
 */
public final class Signals {
    private Signals() {}

    /** SIGHUP: hang-up of the controlling terminal. */
    public static final int SIGHUP = 1;
    /** SIGINT: interrupt from the keyboard (Ctrl-C). */
    public static final int SIGINT = 2;
    /** SIGQUIT: quit from the keyboard (Ctrl-\). */
    public static final int SIGQUIT = 3;
    /** SIGILL: illegal instruction. */
    public static final int SIGILL = 4;
    /** SIGTRAP: trace or breakpoint trap. */
    public static final int SIGTRAP = 5;
    /** SIGABRT: abort(3). */
    public static final int SIGABRT = 6;
    /** SIGIOT: SIGABRT's other name. */
    public static final int SIGIOT = 6;
    /** SIGBUS: bus error (bad memory access). */
    public static final int SIGBUS = 7;
    /** SIGFPE: arithmetic exception. */
    public static final int SIGFPE = 8;
    /** SIGKILL: kill; cannot be caught or ignored. */
    public static final int SIGKILL = 9;
    /** SIGUSR1: user-defined signal 1. */
    public static final int SIGUSR1 = 10;
    /** SIGSEGV: invalid memory reference. */
    public static final int SIGSEGV = 11;
    /** SIGUSR2: user-defined signal 2. */
    public static final int SIGUSR2 = 12;
    /** SIGPIPE: write to a pipe with no reader. */
    public static final int SIGPIPE = 13;
    /** SIGALRM: alarm(2) timer. */
    public static final int SIGALRM = 14;
    /** SIGTERM: termination request. */
    public static final int SIGTERM = 15;
    /** SIGSTKFLT: coprocessor stack fault (unused). */
    public static final int SIGSTKFLT = 16;
    /** SIGCHLD: a child stopped or ended. */
    public static final int SIGCHLD = 17;
    /** SIGCONT: continue if stopped. */
    public static final int SIGCONT = 18;
    /** SIGSTOP: stop; cannot be caught or ignored. */
    public static final int SIGSTOP = 19;
    /** SIGTSTP: stop typed at the terminal (Ctrl-Z). */
    public static final int SIGTSTP = 20;
    /** SIGTTIN: background read from the terminal. */
    public static final int SIGTTIN = 21;
    /** SIGTTOU: background write to the terminal. */
    public static final int SIGTTOU = 22;
    /** SIGURG: urgent data on a socket. */
    public static final int SIGURG = 23;
    /** SIGXCPU: CPU time limit exceeded. */
    public static final int SIGXCPU = 24;
    /** SIGXFSZ: file size limit exceeded. */
    public static final int SIGXFSZ = 25;
    /** SIGVTALRM: virtual timer expired. */
    public static final int SIGVTALRM = 26;
    /** SIGPROF: profiling timer expired. */
    public static final int SIGPROF = 27;
    /** SIGWINCH: the terminal window size changed. */
    public static final int SIGWINCH = 28;
    /** SIGIO: I/O is possible. */
    public static final int SIGIO = 29;
    /** SIGPOLL: SIGIO's other name. */
    public static final int SIGPOLL = 29;
    /** SIGPWR: power failure. */
    public static final int SIGPWR = 30;
    /** SIGSYS: bad system call. */
    public static final int SIGSYS = 31;

    /** In Node's order (os.constants.signals), aliases included. */
    private static final Map<String, Integer> BY_NAME;
    private static final String[] BY_NUMBER = new String[32];

    static {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("SIGHUP", SIGHUP);
        m.put("SIGINT", SIGINT);
        m.put("SIGQUIT", SIGQUIT);
        m.put("SIGILL", SIGILL);
        m.put("SIGTRAP", SIGTRAP);
        m.put("SIGABRT", SIGABRT);
        m.put("SIGIOT", SIGIOT);
        m.put("SIGBUS", SIGBUS);
        m.put("SIGFPE", SIGFPE);
        m.put("SIGKILL", SIGKILL);
        m.put("SIGUSR1", SIGUSR1);
        m.put("SIGSEGV", SIGSEGV);
        m.put("SIGUSR2", SIGUSR2);
        m.put("SIGPIPE", SIGPIPE);
        m.put("SIGALRM", SIGALRM);
        m.put("SIGTERM", SIGTERM);
        m.put("SIGCHLD", SIGCHLD);
        m.put("SIGSTKFLT", SIGSTKFLT);
        m.put("SIGCONT", SIGCONT);
        m.put("SIGSTOP", SIGSTOP);
        m.put("SIGTSTP", SIGTSTP);
        m.put("SIGTTIN", SIGTTIN);
        m.put("SIGTTOU", SIGTTOU);
        m.put("SIGURG", SIGURG);
        m.put("SIGXCPU", SIGXCPU);
        m.put("SIGXFSZ", SIGXFSZ);
        m.put("SIGVTALRM", SIGVTALRM);
        m.put("SIGPROF", SIGPROF);
        m.put("SIGWINCH", SIGWINCH);
        m.put("SIGIO", SIGIO);
        m.put("SIGPOLL", SIGPOLL);
        m.put("SIGPWR", SIGPWR);
        m.put("SIGSYS", SIGSYS);
        BY_NAME = Collections.unmodifiableMap(m);
        // The first name listed for a number is canonical (SIGABRT before SIGIOT, SIGIO before SIGPOLL).
        m.forEach((name, n) -> {
            if (BY_NUMBER[n] == null) BY_NUMBER[n] = name;
        });
    }

    /**
     * The canonical name ("SIGINT") of a signal number, or {@code null} if there is none.
     *
     * @param signum a signal number
     * @return its canonical name ("SIGINT"), or {@code null} if there is none
     */
    public static String name(int signum) {
        return signum > 0 && signum < BY_NUMBER.length ? BY_NUMBER[signum] : null;
    }

    /**
     * The number of a signal named as Node names it ("SIGINT", "SIGIOT"), or -1 if unknown.
     *
     * @param name a signal name as Node names it ("SIGINT", "SIGIOT")
     * @return its number, or -1 if unknown
     */
    public static int number(String name) {
        Integer n = name == null ? null : BY_NAME.get(name);
        return n == null ? -1 : n;
    }

    /** {@return every name and its number, in Node's {@code os.constants.signals} order} */
    public static Map<String, Integer> all() {
        return BY_NAME;
    }
}
