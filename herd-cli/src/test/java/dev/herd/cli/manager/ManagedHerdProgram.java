package dev.herd.cli.manager;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setInterval;

import dev.herd.node.Herd;

/** A Herd program for the manager's tests: says whether its IPC channel is connected and runs on. */
public final class ManagedHerdProgram {
    private ManagedHerdProgram() {}

    /**
     * Prints a line and keeps its loop alive with a timer.
     *
     * @param args not used
     */
    public static void main(String[] args) {
        Herd.run(args, a -> {
            System.out.println("herd program connected=" + process().connected());
            setInterval(() -> {}, 1000);
        });
    }
}
