package dev.herd.node.worker_threads;

import dev.herd.node.internal.Environment;
import dev.herd.node.value.StructuredClone;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Node's environment data ({@link WorkerThreads#setEnvironmentData}): a map per environment, kept
 * as the environment's service and copied (structured clone) into each Worker when it is made.
 *
 * <p>Thread rule: the environment's loop thread. Lifetime: the environment's.
 */
final class EnvironmentData {
    private final Map<Object, Object> data;

    private EnvironmentData(Map<Object, Object> data) {
        this.data = data;
    }

    static Map<Object, Object> of(Environment env) {
        EnvironmentData d = env.service(EnvironmentData.class);
        if (d == null) {
            d = new EnvironmentData(new LinkedHashMap<>());
            env.service(EnvironmentData.class, d);
        }
        return d.data;
    }

    /** Gives a new worker's environment the data cloned for it by its parent. */
    static void install(Environment env, Map<Object, Object> data) {
        env.service(EnvironmentData.class, new EnvironmentData(data));
    }

    /** A clone of {@code env}'s data for a new worker. */
    static Map<Object, Object> cloneFor(Environment env) {
        Map<Object, Object> data = of(env);
        LinkedHashMap<Object, Object> copy = new LinkedHashMap<>();
        data.forEach((k, v) -> copy.put(StructuredClone.clone(k), StructuredClone.clone(v)));
        return copy;
    }
}
