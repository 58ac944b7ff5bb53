package dev.herd.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class ScratchTest {

    @Test
    void growingKeepsEarlierSegmentsOfTheSameCallValid() {
        try (Scratch s = Scratch.open()) {
            MemorySegment small = s.allocate(64, 8);
            small.fill((byte) 7);
            MemorySegment big = s.allocate(100_000, 8); // more than the initial 4 KiB
            big.fill((byte) 9);
            assertThat(small.toArray(ValueLayout.JAVA_BYTE)).containsOnly((byte) 7);
            assertThat(big.byteSize()).isEqualTo(100_000);
        }
    }

    @Test
    void nestedOpenOnOneThreadGetsSeparateMemory() {
        try (Scratch outer = Scratch.open()) {
            MemorySegment a = outer.allocate(16, 8);
            a.fill((byte) 1);
            try (Scratch inner = Scratch.open()) {
                inner.allocate(16, 8).fill((byte) 2);
            }
            assertThat(a.toArray(ValueLayout.JAVA_BYTE)).containsOnly((byte) 1);
        }
    }

    @Test
    void requestsBeyondWhatIsKeptComeFromAOneCallArena() {
        MemorySegment huge;
        try (Scratch s = Scratch.open()) {
            huge = s.allocate(1 << 20, 16);
            huge.set(ValueLayout.JAVA_BYTE, (1 << 20) - 1, (byte) 3);
            assertThat(huge.address() % 16).isZero();
        }
        assertThat(huge.scope().isAlive()).isFalse(); // freed at close, not kept per thread
    }
}
