package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Children here come from {@link TestSpawn}, not ProcessBuilder: see why there. */
@ExtendWith(FdLeakCheck.class)
class ProcTest {

    @Test
    void waitidByPidfdReportsExitCode() {
        int pid = TestSpawn.sh("exit 7");
        try (Fd pidfd = Fd.check(Proc.pidfd_open(pid, 0), "pidfd_open")) {
            Proc.WaitStatus s = Proc.waitid(Proc.P_PIDFD, pidfd.intValue(), Proc.WEXITED);
            assertThat(s.pid()).isEqualTo(pid);
            assertThat(s.code()).isEqualTo(Proc.CLD_EXITED);
            assertThat(s.status()).isEqualTo(7);
            assertThat(s.exitCode()).isEqualTo(7);
            assertThat(s.signalCode()).isNull();
        }
    }

    @Test
    void pidfdTurnsReadableInEpollWhenTheChildExits() {
        int pid = TestSpawn.sh("exec sleep 30");
        try (Fd pidfd = Fd.check(Proc.pidfd_open(pid, 0), "pidfd_open"); Epoll ep = Epoll.create(1)) {
            assertThat(ep.ctl(Epoll.EPOLL_CTL_ADD, pidfd.intValue(), Epoll.EPOLLIN, 5)).isZero();
            assertThat(ep.wait(0)).isZero();
            assertThat(Proc.pidfd_send_signal(pidfd.intValue(), Signals.SIGKILL)).isZero();
            assertThat(ep.wait(5000)).isEqualTo(1);
            assertThat(ep.data(0)).isEqualTo(5);
            assertThat(Proc.waitid(Proc.P_PIDFD, pidfd.intValue(), Proc.WEXITED).signalCode()).isEqualTo("SIGKILL");
        }
    }

    @Test
    void waitidWithWnohangReportsNothingYetForARunningChild() {
        int pid = TestSpawn.sh("exec sleep 30");
        try {
            Proc.WaitStatus s = Proc.waitid(Proc.P_PID, pid, Proc.WEXITED | Proc.WNOHANG);
            assertThat(s).isSameAs(Proc.WaitStatus.NOTHING_YET);
            assertThat(s.ready()).isFalse();
            assertThat(s.exitCode()).isNull();
        } finally {
            Proc.kill(pid, Signals.SIGKILL);
            Proc.waitid(Proc.P_PID, pid, Proc.WEXITED);
        }
    }

    @Test
    void nonBlockingPidfdOfARunningChildGivesEAGAIN() {
        int pid = TestSpawn.sh("exec sleep 30");
        try (Fd pidfd = Fd.check(Proc.pidfd_open(pid, Proc.PIDFD_NONBLOCK), "pidfd_open")) {
            assertThatThrownBy(() -> Proc.waitid(Proc.P_PIDFD, pidfd.intValue(), Proc.WEXITED))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("EAGAIN"));
        } finally {
            Proc.kill(pid, Signals.SIGKILL);
            Proc.waitid(Proc.P_PID, pid, Proc.WEXITED);
        }
    }

    @Test
    void pidfdSendSignalEndsTheChildWithThatSignal() {
        int pid = TestSpawn.sh("exec sleep 30");
        try (Fd pidfd = Fd.check(Proc.pidfd_open(pid, 0), "pidfd_open")) {
            assertThat(Proc.pidfd_send_signal(pidfd.intValue(), Signals.SIGTERM)).isZero();
            Proc.WaitStatus s = Proc.waitid(Proc.P_PIDFD, pidfd.intValue(), Proc.WEXITED);
            assertThat(s.code()).isEqualTo(Proc.CLD_KILLED);
            assertThat(s.status()).isEqualTo(Signals.SIGTERM);
            assertThat(s.signalCode()).isEqualTo("SIGTERM");
            assertThat(s.exitCode()).isNull();
            // Reaped: the pidfd now refers to a process that is gone.
            assertThat(Proc.pidfd_send_signal(pidfd.intValue(), Signals.SIGTERM)).isEqualTo(-Errno.ESRCH.number());
        }
    }

    @Test
    void waitidWithWnowaitLeavesTheChildWaitable() {
        int pid = TestSpawn.sh("exit 3");
        Proc.WaitStatus peek = Proc.waitid(Proc.P_PID, pid, Proc.WEXITED | Proc.WNOWAIT);
        Proc.WaitStatus reap = Proc.waitid(Proc.P_PID, pid, Proc.WEXITED);
        assertThat(peek).isEqualTo(reap);
        assertThat(reap.exitCode()).isEqualTo(3);
        assertThatThrownBy(() -> Proc.waitid(Proc.P_PID, pid, Proc.WEXITED))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.code()).isEqualTo("ECHILD"));
    }

    @Test
    void waitidForAProcessThatIsNotOurChildThrowsECHILD() {
        assertThatThrownBy(() -> Proc.waitid(Proc.P_PID, Proc.getppid(), Proc.WEXITED | Proc.WNOHANG))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e).hasMessage("ECHILD: no child processes, waitid"));
    }

    @Test
    void waitidRefusesToWaitForAnyChild() {
        // P_ALL (0) and P_PGID (2) would steal statuses from the JDK's reaper threads.
        assertThatThrownBy(() -> Proc.waitid(0, 0, Proc.WEXITED | Proc.WNOHANG)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Proc.waitid(2, 0, Proc.WEXITED | Proc.WNOHANG)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Proc.waitid(Proc.P_PID, -1, Proc.WEXITED | Proc.WNOHANG)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void killWithSignalZeroChecksExistence() {
        assertThat(Proc.kill(Proc.getpid(), 0)).isZero();
        int pid = TestSpawn.sh("exit 0");
        assertThat(Proc.waitid(Proc.P_PID, pid, Proc.WEXITED).exited()).isTrue();
        // Reaped a moment ago; pid_max wrap-around would have to reuse it first.
        assertThat(Proc.kill(pid, 0)).isEqualTo(-Errno.ESRCH.number());
    }

    @Test
    void pidfdOpenOfAMissingProcessReturnsMinusESRCH() {
        int pid = TestSpawn.sh("exit 0");
        Proc.waitid(Proc.P_PID, pid, Proc.WEXITED);
        assertThat(Proc.pidfd_open(pid, 0)).isEqualTo(-Errno.ESRCH.number());
    }

    @Test
    void spawnOfAMissingProgramFailsWithENOENT() {
        assertThatThrownBy(() -> TestSpawn.spawn("/no/such/program", "x"))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e).hasMessage("spawn /no/such/program ENOENT"));
    }

    @Test
    void getpidAndGetppidMatchTheJdk() {
        assertThat(Proc.getpid()).isEqualTo((int) ProcessHandle.current().pid());
        assertThat(Proc.getppid()).isEqualTo((int) ProcessHandle.current().parent().orElseThrow().pid());
    }

    // ---- the signal table ----

    @Test
    void signalTableMatchesNodeOsConstantsSignals() {
        // node -p 'JSON.stringify(os.constants.signals)' on Linux x86_64 (Node v20)
        Map<String, Integer> node = new LinkedHashMap<>();
        String json = "SIGHUP:1,SIGINT:2,SIGQUIT:3,SIGILL:4,SIGTRAP:5,SIGABRT:6,SIGIOT:6,SIGBUS:7,SIGFPE:8,"
                + "SIGKILL:9,SIGUSR1:10,SIGSEGV:11,SIGUSR2:12,SIGPIPE:13,SIGALRM:14,SIGTERM:15,SIGCHLD:17,"
                + "SIGSTKFLT:16,SIGCONT:18,SIGSTOP:19,SIGTSTP:20,SIGTTIN:21,SIGTTOU:22,SIGURG:23,SIGXCPU:24,"
                + "SIGXFSZ:25,SIGVTALRM:26,SIGPROF:27,SIGWINCH:28,SIGIO:29,SIGPOLL:29,SIGPWR:30,SIGSYS:31";
        for (String kv : json.split(",")) node.put(kv.split(":")[0], Integer.parseInt(kv.split(":")[1]));
        assertThat(Signals.all()).containsExactlyEntriesOf(node);
    }

    @Test
    void signalNamesAndNumbersMapBothWays() {
        assertThat(Signals.number("SIGINT")).isEqualTo(2);
        assertThat(Signals.name(2)).isEqualTo("SIGINT");
        assertThat(Signals.name(Signals.SIGIOT)).isEqualTo("SIGABRT");
        assertThat(Signals.name(Signals.SIGPOLL)).isEqualTo("SIGIO");
        assertThat(Signals.number("SIGIOT")).isEqualTo(6);
        assertThat(Signals.number("INT")).isEqualTo(-1);
        assertThat(Signals.name(0)).isNull();
        assertThat(Signals.name(64)).isNull();
    }

    @Test
    void aProcessIsNoChildSubreaperUntilItAsks() {
        // Becoming one changes the whole JVM for good (its orphaned descendants become its
        // children): herd-node's SubreaperTest does that in a JVM of its own.
        assertThat(Proc.isChildSubreaper()).isFalse();
    }

    @Test
    void prctlWithAnUnknownOptionReturnsMinusEINVAL() {
        assertThat(Proc.prctl(-1, 0)).isEqualTo(-Errno.EINVAL.number());
    }
}
