package dev.herd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AotTrainingTest {
    private static long openFds() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void trainingServerListensClosesAndLeavesNoDescriptorOpen() throws IOException {
        long before = openFds();
        assertThat(AotTraining.run()).isNull();
        assertThat(openFds()).isEqualTo(before);
    }

    @Test
    void trainingPrintsAListeningLineWithThePidAsTheServerExamplesDo() {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(AotTraining.run()).isNull();
        } finally {
            System.setOut(stdout);
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("listening on").contains("127.0.0.1").contains("(pid " + ProcessHandle.current().pid() + ")");
    }

    // Recording itself needs a class path of jars (the launcher's); this one has directories, so
    // the test runs the training's cluster choreography without -XX:AOTCacheOutput.
    @Test
    void childCacheTrainingWorkerGoesOnlineListensAnswersAndLeavesCleanly() throws IOException {
        long before = openFds();
        assertThat(AotTraining.runChildCache(null)).isNull();
        assertThat(openFds()).isEqualTo(before);
    }
}
