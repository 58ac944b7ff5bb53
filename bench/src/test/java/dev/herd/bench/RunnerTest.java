package dev.herd.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RunnerTest {
    @Test
    void formatKeepsAtMostThreeDecimalsAndNoTrailingZeros() {
        assertThat(Runner.format(769.51234)).isEqualTo("769.512");
        assertThat(Runner.format(0.0451)).isEqualTo("0.045");
        assertThat(Runner.format(2.5)).isEqualTo("2.5");
        assertThat(Runner.format(12345678.0)).isEqualTo("12345678");
        assertThat(Runner.format(-12.0004)).isEqualTo("-12");
        assertThat(Runner.format(0.0001)).isEqualTo("0");
        assertThat(Runner.format(Double.NaN)).isEqualTo("-");
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Runner.median(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
        assertThat(Runner.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    }

    @Test
    void everyScenarioHasAUniqueNameAMainClassAndItsNodeScript() throws Exception {
        Set<String> names = new HashSet<>();
        for (Scenario s : Scenarios.ALL) {
            assertThat(names.add(s.name())).as("unique name %s", s.name()).isTrue();
            Method main = Class.forName(s.herdMain()).getMethod("main", String[].class);
            assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
            assertThat(s.quickArgs()).hasSameSizeAs(s.args());
            if (!s.isServer()) assertThat(s.args()).hasSize(3);
            if (s.hasNodePeer()) {
                // Program scenarios' scripts are named after them; servers' may be shared.
                if (!s.isServer()) assertThat(s.nodeScript()).isEqualTo(s.name() + ".js");
                // Surefire runs in the module directory, bench/.
                assertThat(Files.isRegularFile(Path.of("node", s.nodeScript()))).as(s.nodeScript()).isTrue();
            }
        }
    }

    @Test
    void aMissingMainClassIsReportedNotThrown() {
        assertThat(Runner.mainClassExists("dev.herd.bench.scenarios.TcpPingpong")).isTrue();
        assertThat(Runner.mainClassExists("dev.herd.examples.NoSuchExample")).isFalse();
    }

    @Test
    void aScenarioIsCheckedWhenItIsMade() {
        var metrics = List.of(Scenario.Metric.lower("x"));
        assertThatThrownBy(() -> new Scenario("a", "a", "A", "a.js", List.of("1", "2"), List.of("1", "2"), metrics, null))
                .hasMessageContaining("N W T");
        var server = new Scenario.Server(new IdleRss("hi"), List.of("-Xms8m"), false);
        var s = new Scenario("a", "a", "x.y.A", "a.js", List.of("1", "2"), List.of("1", "2"), metrics, server);
        assertThat(s.isServer()).isTrue();
        assertThat(s.herdMainSimpleName()).isEqualTo("A");
        assertThatThrownBy(() -> new Scenario("a", "a", "A", "a.js", List.of("1", "2"), List.of("1"), metrics, server))
                .hasMessageContaining("differ");
    }

    @Test
    void theLaunchersAotCacheFlagsArePickedFromTheJvmArguments() {
        assertThat(Runner.aotFlags(List.of("--enable-native-access=ALL-UNNAMED", "-XX:AOTCache=/t/herd.aot",
                "-Xlog:aot*=off", "-Xlog:cds*=off", "-Xlog:gc", "-Xmx1g")))
                .containsExactly("-XX:AOTCache=/t/herd.aot", "-Xlog:aot*=off", "-Xlog:cds*=off");
        assertThat(Runner.aotFlags(List.of("-Xlog:cds*=off", "-Xmx1g"))).isEmpty();
    }

    @Test
    void theRssScenarioRunsItsHerdServerWithTheRecommendedFlags() {
        Scenario rss = Scenarios.named("http-idle-rss");
        assertThat(rss.server().herdJvmFlags()).isEqualTo(Scenarios.RECOMMENDED_SERVER_JVM_FLAGS);
        assertThat(rss.server().launcherAotCache()).isTrue();
        assertThat(Scenarios.RECOMMENDED_SERVER_JVM_FLAGS).noneMatch(f -> f.startsWith("-XX:TieredStopAtLevel"));
    }

    @Test
    void theLauncherStartsEveryProgramWithTheRecommendedFlags() throws IOException {
        String launcher = Files.readString(Runner.findRoot().resolve("herd"));
        Matcher m = Pattern.compile("(?m)^JAVA_FLAGS=\\(([^)]*)\\)").matcher(launcher);
        assertThat(m.find()).as("a JAVA_FLAGS=(...) line in ./herd").isTrue();
        List<String> flags = Arrays.stream(m.group(1).trim().split("\\s+"))
                .map(f -> f.replaceAll("^'|'$", ""))
                .toList();
        assertThat(flags.getFirst()).isEqualTo("--enable-native-access=ALL-UNNAMED");
        assertThat(flags.subList(1, flags.size())).isEqualTo(Scenarios.RECOMMENDED_SERVER_JVM_FLAGS);
    }

    @Test
    void theRepositoryRootIsFoundFromTheModuleDirectory() {
        assertThat(Runner.findRoot().resolve("bench/node/rounds.js")).isRegularFile();
    }
}
