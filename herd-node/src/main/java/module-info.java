/**
 * Herd's node layer: Node's {@code process}, timers, {@code events}, {@code net}, {@code dgram},
 * {@code http}, {@code child_process}, {@code cluster}, {@code worker_threads} and the value model
 * of messages. See the package {@link dev.herd.node}.
 */
@SuppressWarnings("module") // dev.herd.manager is built after this module (it requires it): javac cannot see it here
module dev.herd.node {
    // Its API speaks the io, loop and os layers' types (Stream, Loop, ErrnoException).
    requires transitive dev.herd.io;
    // process.memoryUsage and execArgv read the JVM's management beans.
    requires java.management;
    // http's request and response parser.
    requires org.eclipse.jetty.http;
    // value and json: JSON text and binding messages to Java types; Message.as takes Jackson's TypeReference.
    requires com.fasterxml.jackson.databind;
    requires transitive com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.datatype.jsr310;

    // Node's API: the globals, its modules, and the value model with its two formats (Node's
    // JSON.stringify/parse and v8.serialize/deserialize are public API too).
    exports dev.herd.node;
    exports dev.herd.node.child_process;
    exports dev.herd.node.cluster;
    exports dev.herd.node.dgram;
    exports dev.herd.node.fs;
    exports dev.herd.node.http;
    exports dev.herd.node.json;
    exports dev.herd.node.manager;
    exports dev.herd.node.net;
    exports dev.herd.node.v8;
    exports dev.herd.node.value;
    exports dev.herd.node.worker_threads;

    // The internal API for the process manager (docs/ARCHITECTURE.md): an instantiable cluster
    // primary (internal.cluster), and what Node's API does not give a manager (internal.manager:
    // peer credentials, watching processes by pidfd, a subreaper, socket activation).
    // dev.herd.node.internal and its other subpackages (the environment, the IPC channel, what
    // net and dgram need below cluster, the HTTP warm-up, the start-up) are exported to nobody.
    exports dev.herd.node.internal.cluster to dev.herd.manager;
    exports dev.herd.node.internal.manager to dev.herd.manager;
}
