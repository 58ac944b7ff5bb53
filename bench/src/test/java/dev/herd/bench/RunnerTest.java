package dev.herd.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
            Method main = s.herdMain().getMethod("main", String[].class);
            assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
            assertThat(s.args()).hasSize(3);
            assertThat(s.quickArgs()).hasSize(3);
            if (s.hasNodePeer()) {
                assertThat(s.nodeScript()).isEqualTo(s.name() + ".js");
                // Surefire runs in the module directory, bench/.
                assertThat(Files.isRegularFile(Path.of("node", s.nodeScript()))).as(s.nodeScript()).isTrue();
            }
        }
    }

    @Test
    void theRepositoryRootIsFoundFromTheModuleDirectory() {
        assertThat(Runner.findRoot().resolve("bench/node/rounds.js")).isRegularFile();
    }
}
