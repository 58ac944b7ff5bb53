package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.cli.Examples.Example;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MainTest {
    /** What one {@code herd ...} call printed and returned. */
    private record Run(int exitCode, String out, String err) {}

    private static Run herd(List<Example> examples, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine herd = Main.commandLine(examples);
        herd.setOut(new PrintWriter(out, true));
        herd.setErr(new PrintWriter(err, true));
        int exitCode = herd.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static Run herd(String... args) {
        return herd(Examples.ALL, args);
    }

    @Test
    void exampleWithoutANameListsTheBundledExamples() {
        Run run = herd("example");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("timers").contains("the event loop at work");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void unknownExampleIsAUsageErrorThatListsTheExamples() {
        Run run = herd("example", "no-such-example");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("unknown example 'no-such-example'").contains("timers");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void exampleWhoseClassIsMissingSaysSo() {
        var ghost = new Example("ghost", "not written yet", "dev.herd.examples.NoSuchExample");
        Run run = herd(List.of(ghost), "example", "ghost");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("dev.herd.examples.NoSuchExample")
                .contains("not on the class path");
    }

    @Test
    void exampleRunsItsMainWithTheRemainingArgumentsUntouched() {
        var echo = new Example("echo", "records its arguments", EchoExample.class.getName());
        Run run = herd(List.of(echo), "example", "echo", "a", "--flag", "-x", "b c");
        assertThat(run.exitCode()).isZero();
        assertThat(EchoExample.lastArgs).containsExactly("a", "--flag", "-x", "b c");
    }

    @Test
    void exampleWithoutAPublicStaticMainSaysSo() {
        var notRunnable = new Example("plain", "has no main", String.class.getName());
        Run run = herd(List.of(notRunnable), "example", "plain");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no public static void main(String[])");
    }

    @Test
    void versionPrintsHerdsVersionAndTheJavaVersion() {
        Run run = herd("version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Herd ").contains("Java " + Runtime.version());
        assertThat(run.out()).doesNotContain("${project.version}").doesNotContain("unknown version");
    }

    @Test
    void noCommandIsAUsageErrorThatShowsTheCommands() {
        Run run = herd();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("example").contains("version");
    }

    @Test
    void directExampleIsTheRegisteredExampleThatExampleNameRuns() {
        var echo = new Example("echo", "records its arguments", EchoExample.class.getName());
        assertThat(Main.directExample(List.of(echo), new String[] {"example", "echo", "--port", "1"}))
                .isEqualTo(echo);
    }

    @Test
    void directExampleLeavesEveryOtherCommandLineToPicocli() {
        var echo = new Example("echo", "records its arguments", EchoExample.class.getName());
        for (String[] args : List.of(new String[0], new String[] {"example"}, new String[] {"example", "--help"},
                new String[] {"example", "no-such-example"}, new String[] {"version"},
                new String[] {"help", "echo"}, new String[] {"--help", "example", "echo"})) {
            assertThat(Main.directExample(List.of(echo), args)).as(String.join(" ", args)).isNull();
        }
    }

    @Test
    void runExamplePassesTheRemainingArgumentsUntouched() {
        var echo = new Example("echo", "records its arguments", EchoExample.class.getName());
        StringWriter err = new StringWriter();
        int code = Main.runExample(echo, new String[] {"example", "echo", "a", "--flag", "-x", "b c"},
                new PrintWriter(err, true));
        assertThat(code).isZero();
        assertThat(EchoExample.lastArgs).containsExactly("a", "--flag", "-x", "b c");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void runExampleWhoseClassIsMissingSaysSoAsPicocliDoes() {
        var ghost = new Example("ghost", "not written yet", "dev.herd.examples.NoSuchExample");
        StringWriter err = new StringWriter();
        int code = Main.runExample(ghost, new String[] {"example", "ghost"}, new PrintWriter(err, true));
        assertThat(code).isEqualTo(herd(List.of(ghost), "example", "ghost").exitCode()).isEqualTo(1);
        assertThat(err.toString()).contains("dev.herd.examples.NoSuchExample").contains("not on the class path");
    }

    @Test
    void runExampleThatThrowsPrintsTheStackTraceAndExitsWith1AsPicocliDoes() {
        var failing = new Example("failing", "throws", FailingExample.class.getName());
        StringWriter err = new StringWriter();
        int code = Main.runExample(failing, new String[] {"example", "failing"}, new PrintWriter(err, true));
        assertThat(code).isEqualTo(herd(List.of(failing), "example", "failing").exitCode()).isEqualTo(1);
        assertThat(err.toString()).contains("IllegalStateException: the example failed")
                .contains("FailingExample.main");
    }

    /** A stand-in example: a public class with a public static main. */
    public static final class EchoExample {
        static volatile List<String> lastArgs;

        public static void main(String[] args) {
            lastArgs = List.of(args);
        }
    }

    /** A stand-in example whose main throws. */
    public static final class FailingExample {
        public static void main(String[] args) {
            throw new IllegalStateException("the example failed");
        }
    }
}
