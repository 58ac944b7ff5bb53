package dev.herd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The idle-memory "load": lets the listening server idle I seconds and reads its resident set
 * (VmRSS in /proc/PID/status) as rss_mib; then sends R sequential keep-alive GET / requests with
 * {@link HttpProbe} (checking each is a 200 with the expected body), lets it idle I seconds again
 * and reads rss_after_load_mib. Both in MiB (2^20 bytes).
 */
final class IdleRss implements Load {
    static final String HELP = "I R: seconds idle before each reading, requests between the readings";
    private final String expectedBody;

    IdleRss(String expectedBody) {
        this.expectedBody = expectedBody;
    }

    @Override
    public String argsHelp() {
        return HELP;
    }

    @Override
    public Result run(Target target, List<String> args, Duration timeout) {
        int[] a = Load.counts(args, 2, HELP);
        Result result = new Result();
        try {
            Thread.sleep(Duration.ofSeconds(a[0]));
            result.metric("rss_mib", rssKib(target.process().pid()) / 1024.0);
            String probe = HttpProbe.get(target.port(), Math.max(1, a[1]), expectedBody, Duration.ofSeconds(60));
            result.check("responses", probe == null, probe);
            Thread.sleep(Duration.ofSeconds(a[0]));
            result.metric("rss_after_load_mib", rssKib(target.process().pid()) / 1024.0);
        } catch (IOException | IllegalStateException e) {
            result.fail("cannot read the server's RSS: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.fail("interrupted");
        }
        return result;
    }

    /** VmRSS of process {@code pid}, in KiB. */
    static long rssKib(long pid) throws IOException {
        return vmRssKib(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    }

    /** The VmRSS line of a /proc/PID/status text, in KiB. */
    static long vmRssKib(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] f = line.substring(6).trim().split("\\s+");
                if (f.length == 2 && f[1].equals("kB")) return Long.parseLong(f[0]);
            }
        }
        throw new IllegalStateException("no VmRSS line in /proc/PID/status");
    }
}
