package dev.herd.node.json;

/**
 * JavaScript's {@code toJSON} hook: an object that implements it is replaced by
 * {@code toJSON(key)} before {@link Json#stringify(Object)} serializes it, as {@code JSON.stringify}
 * calls a value's {@code toJSON} method. The key is the property name the value is found under,
 * the array index as a decimal string, or {@code ""} at the top level.
 *
 * <p>The result is serialized as it is: its own {@code toJSON} (if it also implements this
 * interface) is not called again, exactly as in JavaScript. Returning {@link
 * dev.herd.node.value.Undefined#INSTANCE} drops the property (or writes {@code null} in an array).
 * Called on the thread that stringifies, once per place the object appears.
 */
public interface ToJson {
    /**
     * The value to serialize in place of this object, found under {@code key}.
     *
     * @param key the key it is found under ("" at the top)
     * @return the value to serialize instead
     */
    Object toJSON(String key);
}
