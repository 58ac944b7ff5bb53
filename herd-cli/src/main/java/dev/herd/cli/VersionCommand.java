package dev.herd.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code herd version} (and {@code herd --version}): Herd's version and the Java running it. */
@Command(name = "version", description = "Print Herd's version and the Java running it.",
        mixinStandardHelpOptions = true, versionProvider = VersionCommand.class)
final class VersionCommand implements Runnable, IVersionProvider {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        for (String line : getVersion()) spec.commandLine().getOut().println(line);
        spec.commandLine().getOut().flush();
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "Herd " + herdVersion(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ", "
                    + System.getProperty("java.vm.name") + ") at " + System.getProperty("java.home"),
        };
    }

    /** The project version, filtered into {@code version.properties} by the build. */
    static String herdVersion() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
            if (in == null) return "(unknown version)";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "(unknown version)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
