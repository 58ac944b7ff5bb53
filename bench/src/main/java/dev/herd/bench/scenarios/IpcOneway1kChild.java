package dev.herd.bench.scenarios;

import static dev.herd.node.Globals.process;

import dev.herd.node.Herd;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The child {@link IpcOneway1k} forks: says "ready", then counts the {seq, data} messages it gets
 * and checks that seq counts up from 0; on {end: n} it answers {count, inOrder} for the round and
 * starts counting again. It ends when the parent disconnects. The Node twin is
 * {@code bench/node/ipc-oneway-1k-child.js}.
 */
public final class IpcOneway1kChild {
    private IpcOneway1kChild() {}

    /**
     * Runs the program (see the class comment).
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        Herd.run(args, argv -> {
            var s = new Object() {
                int count;
                boolean inOrder = true;
            };
            process().on("message", a -> {
                Map<?, ?> m = (Map<?, ?>) a[0];
                if (!m.containsKey("end")) {
                    if (!Integer.valueOf(s.count).equals(m.get("seq"))) s.inOrder = false;
                    s.count++;
                    return;
                }
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("count", s.count);
                answer.put("inOrder", s.inOrder);
                process().send(answer);
                s.count = 0;
                s.inOrder = true;
            });
            process().send("ready");
        });
    }
}
