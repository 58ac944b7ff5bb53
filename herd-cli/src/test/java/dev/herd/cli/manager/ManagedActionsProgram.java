package dev.herd.cli.manager;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setInterval;

import dev.herd.node.Herd;
import dev.herd.node.manager.Actions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Herd program for {@link ManagerTriggerTest}: registers the action {@code greet} (replies
 * {@code {from: "herd", pid, param}}, the param {@code "none"} without one), prints whether a
 * manager was told, and runs on.
 */
public final class ManagedActionsProgram {
    private ManagedActionsProgram() {}

    /**
     * Registers the action and keeps its loop alive with a timer.
     *
     * @param args not used
     */
    public static void main(String[] args) {
        Herd.run(args, a -> {
            boolean told = Actions.register("greet", (param, reply) -> {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("from", "herd");
                r.put("pid", process().pid());
                r.put("param", param == null ? "none" : param);
                reply.send(r);
            });
            System.out.println("actions registered=" + told);
            setInterval(() -> {}, 1000);
        });
    }
}
