package dev.herd.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
            if (!s.isServer()) assertThat(s.args()).as("N W T, then its own").hasSizeGreaterThanOrEqualTo(3);
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
        var server = new Scenario.Server(new IdleRss("hi"));
        var s = new Scenario("a", "a", "x.y.A", "a.js", List.of("1", "2"), List.of("1", "2"), metrics, server);
        assertThat(s.isServer()).isTrue();
        assertThat(s.herdMainSimpleName()).isEqualTo("A");
        assertThatThrownBy(() -> new Scenario("a", "a", "A", "a.js", List.of("1", "2"), List.of("1"), metrics, server))
                .hasMessageContaining("differ");
    }

    @Test
    void aProgramScenarioMayTakeArgumentsOfItsOwnAfterNWT() {
        var metrics = List.of(Scenario.Metric.lower("x"));
        var s = new Scenario("a", "a", "A", "a.js", List.of("20", "0", "1", "5", "10"), List.of("5", "0", "1", "2", "3"),
                metrics, null);
        assertThat(s.args(true)).containsExactly("5", "0", "1", "2", "3");
        assertThatThrownBy(() -> new Scenario("a", "a", "A", "a.js", List.of("20", "0", "1", "5"), List.of("5", "0", "1"),
                metrics, null)).hasMessageContaining("differ");
    }

    @Test
    void theLaunchersAotCacheFlagsArePickedFromTheJvmArguments() {
        assertThat(Runner.aotFlags(List.of("--enable-native-access=ALL-UNNAMED", "-XX:AOTCache=/t/herd.aot",
                "-Xlog:aot*=off", "-Xlog:cds*=off", "-Xlog:gc", "-Xmx1g")))
                .containsExactly("-XX:AOTCache=/t/herd.aot", "-Xlog:aot*=off", "-Xlog:cds*=off");
        assertThat(Runner.aotFlags(List.of("-Xlog:cds*=off", "-Xmx1g"))).isEmpty();
    }

    @Test
    void theLaunchersChildAotCacheTravelsWithItsCache() {
        assertThat(Runner.aotFlags(List.of("-XX:AOTCache=/t/herd.aot", "-Dherd.childAotCache=/t/herd-child.aot", "-Dother=1")))
                .containsExactly("-XX:AOTCache=/t/herd.aot", "-Dherd.childAotCache=/t/herd-child.aot");
    }

    @Test
    void theRecommendedFlagsCostNoPeakSpeed() {
        assertThat(Scenarios.RECOMMENDED_SERVER_JVM_FLAGS).noneMatch(f -> f.startsWith("-XX:TieredStopAtLevel"));
    }

    private static final List<String> AOT = List.of("-XX:AOTCache=/t/herd.aot", "-Xlog:aot*=off", "-Xlog:cds*=off");

    private static Scenario program(String... herdJvmFlags) {
        return new Scenario("p", "p", "x.y.P", "p.js", List.of("1", "2", "3"), List.of("1", "1", "1"),
                List.of(Scenario.Metric.lower("t")), null).withHerdJvmFlags(herdJvmFlags);
    }

    @Test
    void aHerdProgramStartsWithTheLaunchersFlagsAndAotCacheThenItsScenariosThenHerdJavaOpts() {
        List<String> command = Runner.herdCommand("/j/bin/java", "/cp/a.jar:/cp/b.jar", program("-Xmx512m"),
                List.of("1", "2", "3"), AOT, List.of("-Xlog:gc"));
        List<String> expected = new ArrayList<>();
        expected.add("/j/bin/java");
        expected.add("--enable-native-access=ALL-UNNAMED");
        expected.addAll(Scenarios.RECOMMENDED_SERVER_JVM_FLAGS);
        expected.addAll(AOT);
        expected.addAll(List.of("-Xmx512m", "-Xlog:gc", "-cp", "/cp/a.jar:/cp/b.jar", "x.y.P", "1", "2", "3"));
        assertThat(command).isEqualTo(expected);
    }

    @Test
    void aServerScenariosHerdServerGetsTheSameFlagsAndNoProgramArguments() {
        var server = new Scenario("s", "s", "x.y.S", "s.js", List.of("10", "5", "64"), List.of("3", "2", "64"),
                List.of(Scenario.Metric.higher("req_per_s")), new Scenario.Server(new IdleRss("hi")));
        List<String> command = Runner.herdCommand("java", "cp", server, List.of("10", "5", "64"), AOT, List.of());
        assertThat(command.subList(1, command.size() - 3))
                .isEqualTo(Runner.herdJvmFlags(program(), AOT, List.of()))
                .containsSequence(Runner.LAUNCHER_JVM_FLAGS)
                .containsSequence(AOT);
        assertThat(command).endsWith("-cp", "cp", "x.y.S");
    }

    @Test
    void withoutTheLaunchersAotCacheAHerdProgramRunsWithoutOne() {
        assertThat(Runner.herdJvmFlags(program(), List.of(), List.of())).isEqualTo(Runner.LAUNCHER_JVM_FLAGS)
                .noneMatch(f -> f.contains("AOT"));
    }

    @Test
    void aScenariosHeapFlagsComeAfterTheLaunchersSoTheJvmTakesThem() {
        List<String> flags = Runner.herdJvmFlags(program("-Xms256m", "-XX:NewSize=64m"), AOT, List.of());
        assertThat(flags.lastIndexOf("-Xms256m")).isGreaterThan(flags.lastIndexOf("-Xms8m"));
        assertThat(flags.lastIndexOf("-XX:NewSize=64m")).isGreaterThan(flags.lastIndexOf("-XX:NewSize=1m"));
    }

    @Test
    void aCollectorChosenByTheScenarioOrHerdJavaOptsReplacesTheLaunchersSerialGc() {
        assertThat(Runner.herdJvmFlags(program("-XX:+UseParallelGC"), AOT, List.of()))
                .doesNotContain("-XX:+UseSerialGC").contains("-XX:+UseParallelGC").containsSequence(AOT);
        assertThat(Runner.herdJvmFlags(program(), AOT, List.of("-XX:+UseG1GC")))
                .doesNotContain("-XX:+UseSerialGC").endsWith("-XX:+UseG1GC");
        assertThat(Runner.herdJvmFlags(program("-XX:+UseStringDeduplication"), AOT, List.of()))
                .as("not a collector").contains("-XX:+UseSerialGC");
    }

    @Test
    void everyScenariosHerdJvmFlagsStartAJvm() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<List<String>> flagSets = new ArrayList<>();
        flagSets.add(Runner.herdJvmFlags(program(), List.of(), List.of()));
        flagSets.add(Runner.herdJvmFlags(program("-XX:+UseParallelGC"), List.of(), List.of()));
        for (Scenario s : Scenarios.ALL) {
            if (!s.herdJvmFlags().isEmpty()) flagSets.add(Runner.herdJvmFlags(s, List.of(), List.of()));
        }
        for (List<String> flags : flagSets) {
            List<String> command = new ArrayList<>(List.of(javaBin));
            command.addAll(flags);
            command.add("-version");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("%s:%n%s", flags, out).isZero();
            assertThat(out).as("%s", flags).doesNotContainIgnoringCase("warning");
        }
    }

    @Test
    void aNodeProgramGetsItsScenariosNodeFlagsBeforeTheScript() {
        Scenario s = program().withNodeFlags("--max-semi-space-size=64");
        assertThat(Runner.nodeCommand("node", Path.of("/r"), s, List.of("1", "2", "3")))
                .containsExactly("node", "--max-semi-space-size=64", "/r/bench/node/p.js", "1", "2", "3");
        assertThat(Runner.nodeCommand("node", Path.of("/r"), program(), List.of("1", "2", "3")))
                .containsExactly("node", "/r/bench/node/p.js", "1", "2", "3");
    }

    @Test
    void scenarioFlagsMustBeFlags() {
        assertThatThrownBy(() -> program("Xmx1g")).hasMessageContaining("not a flag");
        assertThatThrownBy(() -> program().withNodeFlags("max-old-space-size=1")).hasMessageContaining("not a flag");
        var herdOnly = new Scenario("h", "h", "x.y.H", null, List.of("1", "2", "3"), List.of("1", "1", "1"),
                List.of(Scenario.Metric.lower("t").herdOnly()), null);
        assertThatThrownBy(() -> herdOnly.withNodeFlags("--jitless")).hasMessageContaining("no node flags");
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
        assertThat(flags).as("what the runner gives every Herd program").isEqualTo(Runner.LAUNCHER_JVM_FLAGS);
    }

    @Test
    void theRepositoryRootIsFoundFromTheModuleDirectory() {
        assertThat(Runner.findRoot().resolve("bench/node/rounds.js")).isRegularFile();
    }
}
