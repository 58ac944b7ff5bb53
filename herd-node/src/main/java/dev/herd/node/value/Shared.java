package dev.herd.node.value;

/**
 * An object that {@link StructuredClone} passes by reference instead of copying: memory that
 * threads share on purpose, as JavaScript's {@code SharedArrayBuffer} (worker_threads'
 * {@code SharedArrayBuffer} and the views on it). The receiver gets the very same object.
 *
 * <p>Thread rule: an implementation must be safe to use from several threads at once. The JSON
 * and V8 encoders do not know it and refuse it, as Node's do outside a worker message.
 */
public interface Shared {
}
