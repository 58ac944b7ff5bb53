/**
 * The {@code herd} command line and the bundled examples. Run on the module path with
 * {@code java --enable-native-access=dev.herd.os -p LIB -m dev.herd.cli/dev.herd.cli.Main}.
 */
module dev.herd.cli {
    requires dev.herd.node;
    requires dev.herd.manager;
    requires info.picocli;
    // herd monit: JLine's terminal, its FFM provider and its key maps.
    requires org.jline.terminal;
    requires org.jline.terminal.ffm;
    requires org.jline.reader;
    // The manager's config files: YAML (and lenient JSON) through Jackson.
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    // herd run -p reads a Maven project's pom.xml.
    requires java.xml;

    // picocli reads the commands' annotated fields and methods reflectively.
    opens dev.herd.cli to info.picocli;
    // The examples are programs: `herd example` finds their main by name, and a worker_threads
    // example names its worker's class; the benchmarks run some of them too.
    exports dev.herd.examples;
}
