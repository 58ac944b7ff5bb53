package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FdLeakCheck.class)
class SysTest {
    @Test
    void getrlimitReportsASoftLimitNoHigherThanTheHardOne() {
        long[] nofile = Sys.getrlimit(Sys.RLIMIT_NOFILE);
        assertThat(nofile).hasSize(2);
        assertThat(nofile[0]).isPositive();
        if (nofile[1] != Sys.RLIM_INFINITY) assertThat(nofile[0]).isLessThanOrEqualTo(nofile[1]);
    }

    @Test
    void aLoweredNofileLimitMakesNewDescriptorsFailWithEMFILEUntilRestored() {
        long[] saved = Sys.getrlimit(Sys.RLIMIT_NOFILE);
        int highest = FdLeakCheck.openFds().keySet().stream().mapToInt(Integer::intValue).max().orElse(2);
        List<Fd> filler = new ArrayList<>();
        int result;
        try {
            assertThat(Sys.setrlimit(Sys.RLIMIT_NOFILE, highest + 4L, saved[1])).isZero();
            assertThat(Sys.getrlimit(Sys.RLIMIT_NOFILE)[0]).isEqualTo(highest + 4L);
            // Fill every free number below the limit; the next open must be refused.
            for (int i = 0; i <= highest + 4; i++) {
                int fd = LibC.open("/dev/null", LibC.O_RDONLY, 0);
                if (fd < 0) break;
                filler.add(Fd.adopt(fd));
            }
            result = LibC.open("/dev/null", LibC.O_RDONLY, 0);
        } finally {
            assertThat(Sys.setrlimit(Sys.RLIMIT_NOFILE, saved[0], saved[1])).isZero();
            filler.forEach(Fd::close);
        }
        assertThat(result).isEqualTo(-Errno.EMFILE.number());
        assertThat(filler).isNotEmpty();
    }

    @Test
    void setrlimitWithSoftAboveHardIsEINVAL() {
        long[] saved = Sys.getrlimit(Sys.RLIMIT_NOFILE);
        if (saved[1] == Sys.RLIM_INFINITY) return; // nothing is above infinity
        assertThat(Sys.setrlimit(Sys.RLIMIT_NOFILE, saved[1] + 1, saved[1])).isEqualTo(-Errno.EINVAL.number());
        assertThat(Sys.getrlimit(Sys.RLIMIT_NOFILE)).containsExactly(saved);
    }
}
