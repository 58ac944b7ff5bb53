package dev.herd.node.manager;

import static dev.herd.node.Globals.process;
import static dev.herd.node.Globals.setTimeout;

import dev.herd.node.Herd;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The forked Herd child of {@link ActionsTest}: registers the actions {@code hello} (replies
 * {@code {hello: pid}}) and {@code echo} (replies {@code {got: param}} a little later) and, with the
 * argument {@code stay}, runs until its parent disconnects; without it, it has nothing else to do.
 */
public final class ActionsChildMain {
    private ActionsChildMain() {}

    /**
     * Registers the actions.
     *
     * @param args {@code stay} to run until the parent disconnects
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            Actions.register("hello", (param, reply) -> reply.send(Map.of("hello", process().pid())));
            Actions.register("echo", (param, reply) -> setTimeout(() -> {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("got", param);
                reply.send(r);
            }, 10));
            if (argv.length > 0 && argv[0].equals("stay")) process().on("disconnect", () -> {});
        });
    }
}
