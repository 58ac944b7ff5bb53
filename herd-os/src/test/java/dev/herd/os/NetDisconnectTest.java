package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Net.disconnect: connect(2) to AF_UNSPEC dissolves a datagram socket's association. */
@ExtendWith(FdLeakCheck.class)
class NetDisconnectTest {

    @Test
    void disconnectDissolvesAConnectedDatagramSocketsPeer() {
        try (Fd a = Net.socket(Net.AF_INET, Net.SOCK_DGRAM | Net.SOCK_NONBLOCK, 0);
             Fd b = Net.socket(Net.AF_INET, Net.SOCK_DGRAM | Net.SOCK_NONBLOCK, 0)) {
            assertThat(Net.bind(b.intValue(), SockAddr.inet("127.0.0.1", 0))).isZero();
            SockAddr peer = Net.getsockname(b.intValue());
            assertThat(Net.connect(a.intValue(), peer)).isZero();
            assertThat(Net.getpeername(a.intValue())).isEqualTo(peer);

            assertThat(Net.disconnect(a.intValue())).isZero();

            assertThatThrownBy(() -> Net.getpeername(a.intValue())).isInstanceOfSatisfying(ErrnoException.class,
                    e -> assertThat(e.code()).isEqualTo("ENOTCONN"));
            byte[] msg = {7};
            assertThat(Net.sendto(a.intValue(), msg, 0, 1, 0, null)).as("no default destination any more")
                    .isEqualTo(-Errno.EDESTADDRREQ.number());
        }
    }

    @Test
    void disconnectOfABadDescriptorIsEBADF() {
        assertThat(Net.disconnect(-1)).isEqualTo(-Errno.EBADF.number());
    }
}
