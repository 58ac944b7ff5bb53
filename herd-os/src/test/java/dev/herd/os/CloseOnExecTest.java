package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class CloseOnExecTest {

    @Test
    void everyCreatedFdIsCloseOnExec() {
        Map<String, Integer> made = new LinkedHashMap<>();
        List<Fd> owned = new ArrayList<>();
        int child = TestSpawn.sh("exec sleep 30");
        try {
            Fd[] pipe = own(owned, LibC.pipe2(0));
            made.put("pipe2 read end", pipe[0].intValue());
            made.put("pipe2 write end", pipe[1].intValue());
            made.put("eventfd", own(owned, LibC.eventfd(0, 0)).intValue());
            Epoll ep = Epoll.create(4);
            try {
                made.put("epoll_create1", ep.fd());
                checkAll(made);
            } finally {
                ep.close();
            }
            made.clear();

            Fd listener = own(owned, Net.socket(Net.AF_INET, Net.SOCK_STREAM, 0));
            made.put("socket", listener.intValue());
            assertThat(Net.bind(listener.intValue(), SockAddr.inet("127.0.0.1", 0))).isZero();
            assertThat(Net.listen(listener.intValue(), 8)).isZero();
            Fd client = own(owned, Net.socket(Net.AF_INET, Net.SOCK_STREAM, 0));
            assertThat(Net.connect(client.intValue(), Net.getsockname(listener.intValue()))).isZero();
            made.put("accept4", own(owned, Fd.check(Net.accept4(listener.intValue(), 0, null), "accept4")).intValue());

            Fd[] pair = own(owned, Net.socketpair(Net.AF_UNIX, Net.SOCK_STREAM, 0));
            made.put("socketpair end 0", pair[0].intValue());
            made.put("socketpair end 1", pair[1].intValue());
            // pipe[1] is close-on-exec at the sender; what arrives must be too (MSG_CMSG_CLOEXEC).
            assertThat(Net.sendmsg(pair[0].intValue(), new byte[] {1}, 0, 1, new int[] {pipe[1].intValue()}, 0)).isEqualTo(1);
            Net.RecvMsg m = Net.recvmsg(pair[1].intValue(), new byte[1], 0, 1, 0, 1);
            made.put("recvmsg SCM_RIGHTS", own(owned, Fd.adopt(m.fds()[0])).intValue());

            made.put("pidfd_open", own(owned, Fd.check(Proc.pidfd_open(child, 0), "pidfd_open")).intValue());
            checkAll(made);
        } finally {
            owned.forEach(Fd::close);
            Proc.kill(child, Signals.SIGKILL);
            Proc.waitid(Proc.P_PID, child, Proc.WEXITED);
        }
    }

    private static void checkAll(Map<String, Integer> made) {
        made.forEach((what, fd) -> assertThat(LibC.fcntl(fd, LibC.F_GETFD, 0) & LibC.FD_CLOEXEC)
                .as("%s (fd %d) has FD_CLOEXEC", what, fd)
                .isEqualTo(LibC.FD_CLOEXEC));
    }

    private static Fd own(List<Fd> owned, Fd fd) {
        owned.add(fd);
        return fd;
    }

    private static Fd[] own(List<Fd> owned, Fd[] fds) {
        owned.addAll(List.of(fds));
        return fds;
    }
}
