package dev.herd.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Date header's IMF-fixdate, against java.time's formatter. */
class HttpDateTest {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM uuuu HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    @Test
    void formatsTheRfcExample() {
        assertThat(HttpDate.format(784_111_777L)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
    }

    @Test
    void formatsTheEpochAndTheDaysAroundIt() {
        assertThat(HttpDate.format(0)).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");
        assertThat(HttpDate.format(-1)).isEqualTo("Wed, 31 Dec 1969 23:59:59 GMT");
        assertThat(HttpDate.format(86_399)).isEqualTo("Thu, 01 Jan 1970 23:59:59 GMT");
    }

    @Test
    void agreesWithJavaTimeOverManyInstantsFromYear0To9999() {
        long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            long t = random.nextLong(min, max + 1);
            assertThat(HttpDate.format(t)).as("epoch second %d", t).isEqualTo(IMF_FIXDATE.format(Instant.ofEpochSecond(t)));
        }
        assertThat(HttpDate.format(min)).isEqualTo("Sat, 01 Jan 0000 00:00:00 GMT");
        assertThat(HttpDate.format(max)).isEqualTo("Fri, 31 Dec 9999 23:59:59 GMT");
    }

    @Test
    void refusesATimeOutsideFourDigitYears() {
        long after = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond() + 1;
        assertThatThrownBy(() -> HttpDate.format(after)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpDate.format(Long.MIN_VALUE / 2)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void theHeaderLineIsTheCurrentSecondsDateWithCrLf() {
        long before = System.currentTimeMillis() / 1000;
        String line = new String(HttpDate.line(), StandardCharsets.US_ASCII);
        long after = System.currentTimeMillis() / 1000;
        assertThat(line).isIn("Date: " + HttpDate.format(before) + "\r\n", "Date: " + HttpDate.format(after) + "\r\n");
    }
}
