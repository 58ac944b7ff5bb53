package dev.herd.node.worker_threads;

import dev.herd.node.internal.Environment;
import dev.herd.node.value.StructuredClone;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Node's environment data ({@link WorkerThreads#setEnvironmentData}): a map per environment,
 * copied (structured clone) into each Worker when it is made.
 *
 * <p>Each map is used by its environment's loop thread only; the registry of maps is locked.
 * Lifetime: a map goes with its environment (weak keys).
 */
final class EnvironmentData {
    private static final Map<Environment, Map<Object, Object>> DATA = new WeakHashMap<>();

    private EnvironmentData() {}

    static Map<Object, Object> of(Environment env) {
        synchronized (DATA) {
            return DATA.computeIfAbsent(env, k -> new LinkedHashMap<>());
        }
    }

    static void install(Environment env, Map<Object, Object> data) {
        synchronized (DATA) {
            DATA.put(env, data);
        }
    }

    /** A clone of {@code env}'s data for a new worker. */
    @SuppressWarnings("unchecked")
    static Map<Object, Object> cloneFor(Environment env) {
        Map<Object, Object> data = of(env);
        if (data.isEmpty()) return new LinkedHashMap<>();
        LinkedHashMap<Object, Object> copy = new LinkedHashMap<>();
        data.forEach((k, v) -> copy.put(StructuredClone.clone(k), StructuredClone.clone(v)));
        return copy;
    }
}
