package dev.herd.node.value;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JavaScript {@code Map}, as distinct from a plain object. Received JS Maps are JsMaps (keys and
 * values in the value model, insertion order kept); a JsMap is always sent as a JS Map, even with
 * string keys, while any other Java {@link Map} whose keys are all strings is sent as a plain object
 * (and one with other keys as a JS Map).
 *
 * <p>Keys compare by Java equality; received numbers are normalized (see {@link Values}) so a key
 * {@code 1} arrives as {@code Integer 1}. Not thread-safe.
 */
public final class JsMap extends LinkedHashMap<Object, Object> {
    /** An empty Map. */
    public JsMap() {
    }

    /**
     * A Map with the entries of {@code entries}, in its order.
     *
     * @param entries the entries
     */
    public JsMap(Map<?, ?> entries) {
        super(entries);
    }
}
