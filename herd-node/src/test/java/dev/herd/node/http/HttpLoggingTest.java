package dev.herd.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.Herd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Jetty's parser logs through slf4j-api, and Herd ships no logging provider. Herd must not change
 * the JVM's system properties to quiet slf4j: the flag that does is the launcher's, and a program
 * started without it gets slf4j's ordinary notice.
 */
class HttpLoggingTest {
    /** Serves one request to itself, then prints the slf4j verbosity property as the JVM has it. */
    public static final class OneExchange {
        public static void main(String[] args) {
            Herd.run(args, argv -> {
                HttpServer server = Http.createServer((req, res) -> res.end("ok"));
                server.listen(0, "127.0.0.1", () -> Http.get(RequestOptions.builder().host("127.0.0.1")
                        .port(server.address().port()).build(), res -> {
                    res.on("data", a -> { });
                    res.on("end", () -> {
                        System.out.println("status " + res.statusCode() + " verbosity "
                                + System.getProperty("slf4j.internal.verbosity"));
                        server.close();
                    });
                }));
            });
        }
    }

    private record Run(String out, String err) {}

    private static Run run(String... jvmFlags) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(List.of(jvmFlags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), OneExchange.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("HERD_HTTP_WARMUP", "0");
        Process p = pb.start();
        p.getOutputStream().close();
        // stderr is small (a notice at most); read it after stdout ends.
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        return new Run(out, err);
    }

    @Test
    void servingHttpSetsNoSystemProperty() throws Exception {
        Run r = run();
        assertThat(r.out()).isEqualTo("status 200 verbosity null\n");
    }

    @Test
    void theLaunchersSlf4jFlagLeavesStderrEmpty() throws Exception {
        Run r = run("-Dslf4j.internal.verbosity=ERROR");
        assertThat(r.out()).isEqualTo("status 200 verbosity ERROR\n");
        assertThat(r.err()).isEmpty();
    }
}
