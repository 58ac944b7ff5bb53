package dev.herd.examples;

import static dev.herd.node.Globals.clearInterval;
import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.queueMicrotask;
import static dev.herd.node.Globals.setImmediate;
import static dev.herd.node.Globals.setInterval;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import dev.herd.node.NodeProcess;
import dev.herd.node.Timeout;

/**
 * The event loop at work: the order in which Node runs nextTick callbacks, microtasks, timers and
 * immediates, a job on the work pool, an interval, 'beforeExit' and 'exit'.
 *
 * <p>Usage: {@code ./herd example timers [TICKS]} — TICKS is how many times the interval fires
 * (default 3).
 */
public final class Timers {
    private Timers() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            int ticks = argv.length > 0 ? Integer.parseInt(argv[0]) : 3;
            long t0 = process().hrtimeBigint();
            java.util.function.Supplier<String> at = () ->
                    String.format("%7.2f ms", (process().hrtimeBigint() - t0) / 1e6);

            System.out.println("main: pid " + process().pid() + ", scheduling work");
            setTimeout(() -> System.out.println(at.get() + "  setTimeout 0 (clamped to 1 ms)"), 0);
            setImmediate(() -> {
                System.out.println(at.get() + "  setImmediate (check phase)");
                process().nextTick(() -> System.out.println(at.get() + "  nextTick queued by the immediate"));
            });
            process().nextTick(() -> System.out.println(at.get() + "  nextTick (runs first, after main)"));
            queueMicrotask(() -> System.out.println(at.get() + "  microtask (after the nextTicks)"));

            // A blocking job on the work pool; its completion comes back to this loop thread.
            String loopThread = Thread.currentThread().getName();
            process().loop().queueWork(() -> {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, error -> System.out.println(at.get() + "  work done on a pool thread; callback on '"
                    + Thread.currentThread().getName() + "' (loop thread '" + loopThread + "')"));

            int[] count = {0};
            Timeout[] interval = new Timeout[1];
            interval[0] = setInterval(() -> {
                count[0]++;
                System.out.println(at.get() + "  interval " + count[0] + "/" + ticks);
                if (count[0] >= ticks) clearInterval(interval[0]);
            }, 50);

            boolean[] once = {false};
            process().on(NodeProcess.BEFORE_EXIT, code -> {
                if (once[0]) return;
                once[0] = true;
                System.out.println(at.get() + "  beforeExit (code " + code + "): scheduling one more timer");
                setTimeout(() -> System.out.println(at.get() + "  timer from beforeExit"), 10);
            });
            process().on(NodeProcess.EXIT, code -> System.out.println(at.get() + "  exit (code " + code + ")"));
        });
    }
}
