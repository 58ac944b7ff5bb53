package dev.herd.cli.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code herd dump TARGET} (issue 16): a running JVM's thread and heap dumps, and the program goes on. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerDumpTest {
    @TempDir
    Path tmp;

    private Herd herd;
    private int port;
    private long pid;

    @BeforeEach
    void setUp() throws Exception {
        herd = new Herd(tmp);
        port = Requests.freePort();
        Path jar = ManagerStartTest.jar(herd.dir.resolve("web.jar"), ManagedHttpProgram.class, ManagerClusterTest.herdClassPath());
        herd.run("start", jar.toString(), "--name", "web", "--", Integer.toString(port)).ok();
        pid = herd.awaitStatus("web", "online").get("pid").asLong();
        Requests.answeringPids(port, 1, 50);
    }

    @AfterEach
    void nothingIsLeftRunning() {
        herd.close();
    }

    @Test
    void aThreadDumpOfARunningHerdProgramShowsItsThreadsAndTheProgramGoesOn() throws Exception {
        String out = herd.run("dump", "web").ok().out();
        assertThat(out).contains("== web:0 (pid " + pid + ")").contains("Full thread dump").contains("\"main\"");
        assertThat(Requests.get(port)).isEqualTo(pid);
    }

    @Test
    void aHeapDumpIsWrittenToAFileAndTheProgramGoesOn() throws Exception {
        Path file = herd.dir.resolve("web.hprof");
        String out = herd.run("dump", "web", "--heap", "--out", file.toString()).ok().out();
        assertThat(out).contains("heap dump in " + file);
        byte[] head = new byte[18];
        try (var in = Files.newInputStream(file)) {
            assertThat(in.read(head)).isEqualTo(18);
        }
        assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("JAVA PROFILE 1.0.2");
        assertThat(Requests.get(port)).isEqualTo(pid);
    }

    @Test
    void aProgramThatIsNoJvmIsRefusedAndBareDumpStillSaves() throws Exception {
        herd.run("start", herd.file("idle.sh", "#!/bin/sh\nexec sleep 600\n").toString(), "--name", "idle").ok();
        herd.awaitStatus("idle", "online");
        Herd.Result r = herd.run("dump", "idle");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("idle is not a Java program");
        herd.run("dump").ok(); // pm2's dump: save
        assertThat(herd.home.resolve("dump.herd")).exists();
    }
}
