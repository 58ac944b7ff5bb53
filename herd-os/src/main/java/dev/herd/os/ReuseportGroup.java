package dev.herd.os;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The listening TCP sockets of one SO_REUSEPORT group, all made by this process, and which of them
 * new connections go to: a classic BPF program attached to the group (SO_ATTACH_REUSEPORT_CBPF)
 * spreads new connections over the <em>live</em> sockets only, by a hash of the client's port,
 * and sends a connection from a <em>probe</em> port to one given socket. A socket that is not
 * live gets nothing new while it is kept open (its queue is kept for whoever accepts from it
 * next); with no live socket at all, the kernel's own hash picks among every socket.
 *
 * <p>The program names sockets by their index in the group, which the kernel keeps as an array:
 * a socket joins at the end when it starts listening, and when one leaves (its last descriptor
 * closed) the last one takes its place. This class keeps the same array, so every socket of the
 * group must start listening through {@link #joined} and leave through {@link #close}; a socket of
 * the same port made by another process would join the kernel's array unseen and shift nothing
 * but its own index, which no program then names. Between a socket's close and the next program
 * the kernel's array has changed under the old one, whose index of the last socket is then past
 * the end (the kernel's hash picks instead, maybe a socket nobody accepts from): {@link #close}
 * first attaches a program that names neither the socket going nor the last one, when another
 * live socket is there to take their share.
 *
 * <p>Thread rule: not thread-safe; one owner thread. Lifetime: the owner's; descriptors stay the
 * caller's to close.
 */
public final class ReuseportGroup {
    private static final int SKF_NET_OFF = -0x100000; // loads relative to the IP header
    private static final long ELSEWHERE = 0xffffffffL; // past the last index: the kernel's own hash

    private final List<Integer> order = new ArrayList<>();
    private final Set<Integer> live = new LinkedHashSet<>();
    private final Map<Integer, Integer> probes = new HashMap<>();

    /** A group with no socket yet. */
    public ReuseportGroup() {}

    /**
     * Records that {@code fd} has started listening: it is the group's last socket now.
     *
     * @param fd the socket, listening
     */
    public void joined(int fd) {
        if (!order.contains(fd)) order.add(fd);
    }

    /**
     * Closes {@code fd} (with {@code close}, which must close its last descriptor), a socket of the
     * group, and steers the group without it: the last socket takes its place.
     *
     * @param fd the socket
     * @param close closes it (its last descriptor)
     * @return 0, or -errno of the program's attach
     */
    public int close(int fd, Runnable close) {
        int i = order.indexOf(fd);
        if (i < 0) {
            close.run();
            return 0;
        }
        live.remove(fd);
        probes.values().removeIf(p -> p == fd);
        int last = order.getLast();
        List<Integer> safe = new ArrayList<>();
        for (int l : live) if (l != last) safe.add(order.indexOf(l));
        if (!safe.isEmpty() && order.size() > 1) {
            Map<Integer, Integer> stable = new HashMap<>();
            probes.forEach((port, p) -> {
                if (p != last) stable.put(port, order.indexOf(p));
            });
            Net.attachReuseportCbpf(order.getFirst() == fd ? order.get(1) : order.getFirst(), program(safe, stable));
        }
        close.run();
        order.removeLast();
        if (i < order.size()) order.set(i, last);
        return steer();
    }

    /**
     * Makes {@code fd} one of the sockets new connections are spread over, or takes it out (takes
     * effect with the next {@link #steer}).
     *
     * @param fd a socket of the group
     * @param isLive whether new connections go to it
     */
    public void live(int fd, boolean isLive) {
        if (isLive && order.contains(fd)) live.add(fd);
        else live.remove(fd);
    }

    /**
     * {@return whether new connections go to {@code fd}}
     *
     * @param fd a socket of the group
     */
    public boolean isLive(int fd) {
        return live.contains(fd);
    }

    /**
     * Sends connections from client port {@code port} to {@code fd} (takes effect with the next
     * {@link #steer}).
     *
     * @param port the client's port
     * @param fd a socket of the group, or null: no longer
     */
    public void probe(int port, Integer fd) {
        if (fd == null) probes.remove(port);
        else probes.put(port, fd);
    }

    /** {@return the group's sockets, in the kernel's order} */
    public List<Integer> sockets() {
        return List.copyOf(order);
    }

    /**
     * Attaches the program for the current live sockets and probes to the group.
     *
     * @return 0, or -errno (0 with no socket left: there is no group to steer)
     */
    public int steer() {
        if (order.isEmpty()) return 0;
        return Net.attachReuseportCbpf(order.getFirst(), program());
    }

    /** The classic BPF program for the live sockets and the probes. */
    long[] program() {
        List<Integer> targets = new ArrayList<>();
        for (int fd : live) targets.add(order.indexOf(fd));
        Map<Integer, Integer> indices = new HashMap<>();
        probes.forEach((port, fd) -> indices.put(port, order.indexOf(fd)));
        return program(targets, indices);
    }

    /** The classic BPF program: the client's port, the probes, then a hash over the targets (socket indices). */
    private static long[] program(List<Integer> targets, Map<Integer, Integer> probeIndices) {
        List<Long> p = new ArrayList<>();
        // The client's port: IPv4 (header length from IHL) or IPv6 (a 40-byte header).
        p.add(insn(Bpf.LD | Bpf.B | Bpf.ABS, 0, 0, SKF_NET_OFF));
        p.add(insn(Bpf.ALU | Bpf.RSH | Bpf.K, 0, 0, 4));
        p.add(insn(Bpf.JMP | Bpf.JEQ | Bpf.K, 3, 0, 6));
        p.add(insn(Bpf.LDX | Bpf.B | Bpf.MSH, 0, 0, SKF_NET_OFF));
        p.add(insn(Bpf.LD | Bpf.H | Bpf.IND, 0, 0, SKF_NET_OFF));
        p.add(insn(Bpf.JMP | Bpf.JA, 0, 0, 1));
        p.add(insn(Bpf.LD | Bpf.H | Bpf.ABS, 0, 0, SKF_NET_OFF + 40));
        for (Map.Entry<Integer, Integer> e : probeIndices.entrySet()) {
            p.add(insn(Bpf.JMP | Bpf.JEQ | Bpf.K, 0, 1, e.getKey()));
            p.add(insn(Bpf.RET | Bpf.K, 0, 0, e.getValue()));
        }
        if (targets.isEmpty()) {
            p.add(insn(Bpf.RET | Bpf.K, 0, 0, ELSEWHERE));
        } else {
            // Ephemeral ports go up in steps of two: mix before the modulo (Fibonacci hashing).
            p.add(insn(Bpf.ALU | Bpf.MUL | Bpf.K, 0, 0, 0x9E3779B1L));
            p.add(insn(Bpf.ALU | Bpf.RSH | Bpf.K, 0, 0, 16));
            p.add(insn(Bpf.ALU | Bpf.MOD | Bpf.K, 0, 0, targets.size()));
            for (int k = 0; k < targets.size() - 1; k++) {
                p.add(insn(Bpf.JMP | Bpf.JEQ | Bpf.K, 0, 1, k));
                p.add(insn(Bpf.RET | Bpf.K, 0, 0, targets.get(k)));
            }
            p.add(insn(Bpf.RET | Bpf.K, 0, 0, targets.getLast()));
        }
        long[] out = new long[p.size()];
        for (int i = 0; i < out.length; i++) out[i] = p.get(i);
        return out;
    }

    private static long insn(int code, int jt, int jf, long k) {
        return (code & 0xffffL) | (long) (jt & 0xff) << 16 | (long) (jf & 0xff) << 24 | (k & 0xffffffffL) << 32;
    }

    /** Classic BPF's instruction codes (linux/filter.h). */
    private static final class Bpf {
        static final int LD = 0x00, LDX = 0x01, ALU = 0x04, JMP = 0x05, RET = 0x06;
        static final int H = 0x08, B = 0x10;
        static final int ABS = 0x20, IND = 0x40, MSH = 0xa0;
        static final int MUL = 0x20, RSH = 0x70, MOD = 0x90;
        static final int JA = 0x00, JEQ = 0x10;
        static final int K = 0x00;
    }
}
