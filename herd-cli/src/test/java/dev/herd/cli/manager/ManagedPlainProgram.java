package dev.herd.cli.manager;

import java.util.Arrays;

/** A Java program without Herd for the manager's tests: prints its arguments and sleeps. */
public final class ManagedPlainProgram {
    private ManagedPlainProgram() {}

    /**
     * Prints a line and sleeps until it is ended.
     *
     * @param args printed
     * @throws Exception if interrupted
     */
    public static void main(String[] args) throws Exception {
        System.out.println("plain args=" + Arrays.toString(args) + " ipc=" + System.getenv("NODE_CHANNEL_FD"));
        Thread.sleep(Long.MAX_VALUE);
    }
}
