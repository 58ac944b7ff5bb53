package dev.herd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The idle-memory "load": lets the listening server idle I seconds and reads its resident set
 * (VmRSS in /proc/PID/status) as rss_mib; then sends R sequential keep-alive GET / requests with
 * {@link HttpProbe} (checking each is a 200 with the expected body), lets it idle I seconds again
 * and reads rss_after_load_mib. Both in MiB (2^20 bytes).
 *
 * <p>{@link #processTree} makes the variant for a server of several processes (a cluster): it
 * reads the sum over the server and all its descendants as total_rss_mib and
 * total_rss_after_load_mib, sends each of the R requests on a new connection (so that a cluster
 * spreads them over its workers), and checks that the tree has the expected number of processes
 * at both readings. Stateless: one instance may serve any number of runs.
 */
final class IdleRss implements Load {
    static final String HELP = "I R: seconds idle before each reading, requests between the readings";
    private final String expectedBody;
    /** How many processes the server's tree must have, or 0 to read the server's own RSS only. */
    private final int processes;

    IdleRss(String expectedBody) {
        this(expectedBody, 0);
    }

    private IdleRss(String expectedBody, int processes) {
        this.expectedBody = expectedBody;
        this.processes = processes;
    }

    /**
     * The variant that sums the resident sets of the server and all its descendants, which must
     * be {@code processes} processes in all (a primary and its workers).
     */
    static IdleRss processTree(String expectedBody, int processes) {
        if (processes < 1) throw new IllegalArgumentException("a process tree has at least 1 process, got " + processes);
        return new IdleRss(expectedBody, processes);
    }

    @Override
    public String argsHelp() {
        return HELP + (processes > 0 ? " (each on a new connection); RSS summed over the server and its descendants" : "");
    }

    @Override
    public Result run(Target target, List<String> args, Duration timeout) {
        int[] a = Load.counts(args, 2, HELP);
        Result result = new Result();
        String prefix = processes > 0 ? "total_" : "";
        try {
            Thread.sleep(Duration.ofSeconds(a[0]));
            result.metric(prefix + "rss_mib", reading(target, result, "fresh") / 1024.0);
            // Summed RSS counts the pages the processes share (the runtime's binary and libraries,
            // the JVM's AOT cache) once per process; PSS divides them among the sharers.
            if (processes > 0) result.metric("total_pss_mib", treePssKib(target.process()) / 1024.0);
            String probe = null;
            if (processes > 0) {
                // One connection per request: round-robin hands each to the next worker.
                for (int i = 0; i < Math.max(1, a[1]) && probe == null; i++) {
                    probe = HttpProbe.get(target.port(), 1, expectedBody, Duration.ofSeconds(10));
                    if (probe != null) probe = "request " + (i + 1) + " (new connection): " + probe;
                }
            } else {
                probe = HttpProbe.get(target.port(), Math.max(1, a[1]), expectedBody, Duration.ofSeconds(60));
            }
            result.check("responses", probe == null, probe);
            Thread.sleep(Duration.ofSeconds(a[0]));
            result.metric(prefix + "rss_after_load_mib", reading(target, result, "after load") / 1024.0);
        } catch (IOException | IllegalStateException e) {
            result.fail("cannot read the server's RSS: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.fail("interrupted");
        }
        return result;
    }

    /** One reading in KiB: the server's own RSS, or its tree's with the process-count check. */
    private long reading(Target target, Result result, String when) throws IOException {
        if (processes == 0) return rssKib(target.process().pid());
        TreeRss tree = treeRssKib(target.process());
        System.err.printf("    RSS %s: %.1f MiB in %d processes %s%n", when, tree.kib() / 1024.0, tree.processes(), tree.perProcessKib());
        result.check("processes", tree.processes() == processes,
                "the server's tree had " + tree.processes() + " processes " + when + ", expected " + processes);
        return tree.kib();
    }

    /**
     * The resident set of a process tree.
     *
     * @param kib the sum of VmRSS over the processes, in KiB
     * @param processes how many processes were read
     * @param perProcessKib each one's VmRSS, the root first
     */
    record TreeRss(long kib, int processes, List<Long> perProcessKib) {}

    /**
     * The sum of VmRSS over {@code root} and all its descendants. A descendant that is gone by
     * the time its status is read (or is a zombie, with no VmRSS line) is left out; the root must
     * be there.
     */
    static TreeRss treeRssKib(ProcessHandle root) throws IOException {
        List<Long> each = new ArrayList<>();
        each.add(rssKib(root.pid()));
        for (ProcessHandle p : root.descendants().toList()) {
            String status;
            try {
                status = Files.readString(Path.of("/proc", Long.toString(p.pid()), "status"));
            } catch (NoSuchFileException e) {
                continue; // exited since the listing
            }
            Long kib = vmRssKibOrNull(status);
            if (kib != null) each.add(kib);
        }
        return new TreeRss(each.stream().mapToLong(Long::longValue).sum(), each.size(), List.copyOf(each));
    }

    /**
     * The sum of Pss (proportional set size: a shared page counts 1/n in each of its n sharers)
     * over {@code root} and its descendants, from /proc/PID/smaps_rollup, in KiB. Processes gone
     * by the time they are read are left out; the root must be there.
     */
    static long treePssKib(ProcessHandle root) throws IOException {
        long sum = pssKib(Files.readString(Path.of("/proc", Long.toString(root.pid()), "smaps_rollup")));
        for (ProcessHandle p : root.descendants().toList()) {
            try {
                sum += pssKib(Files.readString(Path.of("/proc", Long.toString(p.pid()), "smaps_rollup")));
            } catch (NoSuchFileException | IllegalStateException gone) {
                // exited since the listing (a zombie's rollup is empty)
            }
        }
        return sum;
    }

    /** The Pss line of a /proc/PID/smaps_rollup text, in KiB. */
    static long pssKib(String rollup) {
        for (String line : rollup.split("\n")) {
            if (line.startsWith("Pss:")) {
                String[] f = line.substring(4).trim().split("\\s+");
                if (f.length == 2 && f[1].equals("kB")) return Long.parseLong(f[0]);
            }
        }
        throw new IllegalStateException("no Pss line in /proc/PID/smaps_rollup");
    }

    /** VmRSS of process {@code pid}, in KiB. */
    static long rssKib(long pid) throws IOException {
        return vmRssKib(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    }

    /** The VmRSS line of a /proc/PID/status text, in KiB. */
    static long vmRssKib(String status) {
        Long kib = vmRssKibOrNull(status);
        if (kib == null) throw new IllegalStateException("no VmRSS line in /proc/PID/status");
        return kib;
    }

    /** The VmRSS line of a /proc/PID/status text, in KiB; null without one (a zombie has none). */
    static Long vmRssKibOrNull(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] f = line.substring(6).trim().split("\\s+");
                if (f.length == 2 && f[1].equals("kB")) return Long.parseLong(f[0]);
            }
        }
        return null;
    }
}
