package dev.herd.bench.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TimersRandomTest {
    @Test
    void xorshift32MatchesMarsagliasReferenceValue() {
        assertThat(Integer.toUnsignedLong(TimersRandom.xorshift32((int) 2463534242L))).isEqualTo(723471715L);
    }

    @Test
    void delaysMatchTheFingerprintTheNodeTwinChecks() {
        assertThat(TimersRandom.fingerprint()).isEqualTo(TimersRandom.PRNG_FINGERPRINT);
        assertThat(java.util.Arrays.stream(TimersRandom.delays(100_000)).allMatch(d -> d >= 0 && d <= 100)).isTrue();
    }

    @Test
    void percentileIsNearestRank() {
        double[] sorted = new double[100];
        for (int i = 0; i < 100; i++) sorted[i] = i + 1;
        assertThat(TimersRandom.percentile(sorted, 0.5)).isEqualTo(50);
        assertThat(TimersRandom.percentile(sorted, 0.99)).isEqualTo(99);
        assertThat(TimersRandom.percentile(new double[] {7}, 0.99)).isEqualTo(7);
    }
}
