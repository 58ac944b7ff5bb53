package dev.herd.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** The cron grammar pm2's {@code cron_restart} takes: fields, lists, ranges, steps, names, macros. */
class CronExpressionTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    /** A Wednesday. */
    private static final ZonedDateTime T = ZonedDateTime.of(2025, 1, 15, 10, 20, 30, 500_000_000, UTC);

    private static ZonedDateTime next(String expr, ZonedDateTime after) {
        return CronExpression.parse(expr).next(after);
    }

    private static ZonedDateTime at(int month, int day, int hour, int minute, int second) {
        return ZonedDateTime.of(2025, month, day, hour, minute, second, 0, UTC);
    }

    @Test
    void sixStarsFireEverySecondStrictlyAfter() {
        assertThat(next("* * * * * *", T)).isEqualTo(at(1, 15, 10, 20, 31));
    }

    @Test
    void fiveFieldsFireAtSecondZeroOfTheMinute() {
        assertThat(next("* * * * *", T)).isEqualTo(at(1, 15, 10, 21, 0));
        assertThat(next("0 3 * * *", T)).isEqualTo(at(1, 16, 3, 0, 0));
    }

    @Test
    void stepsRangesAndListsCombine() {
        assertThat(next("*/15 * * * *", T)).isEqualTo(at(1, 15, 10, 30, 0));
        assertThat(next("0 9-17/4 * * *", T)).isEqualTo(at(1, 15, 13, 0, 0));
        assertThat(next("5,50 * * * *", T)).isEqualTo(at(1, 15, 10, 50, 0));
        assertThat(next("10/20 * * * * *", T)).isEqualTo(at(1, 15, 10, 20, 50));
    }

    @Test
    void namesOfMonthsAndDaysAndSundayAsSeven() {
        assertThat(next("0 0 * * MON", T)).isEqualTo(at(1, 20, 0, 0, 0));
        assertThat(next("0 0 * * 7", T)).isEqualTo(at(1, 19, 0, 0, 0));
        assertThat(next("0 0 1 mar *", T)).isEqualTo(at(3, 1, 0, 0, 0));
    }

    @Test
    void aRestrictedDayOfMonthAndDayOfWeekFireOnEither() {
        // The 20th, or a Friday: Friday the 17th comes first.
        assertThat(next("0 0 20 * FRI", T)).isEqualTo(at(1, 17, 0, 0, 0));
    }

    @Test
    void macrosAreAccepted() {
        assertThat(next("@hourly", T)).isEqualTo(at(1, 15, 11, 0, 0));
        assertThat(next("@daily", T)).isEqualTo(at(1, 16, 0, 0, 0));
        assertThat(next("@monthly", T)).isEqualTo(at(2, 1, 0, 0, 0));
    }

    @Test
    void theThirtiethOfFebruaryNeverFires() {
        assertThatThrownBy(() -> CronExpression.parse("0 0 30 2 *")).hasMessageContaining("never fires");
    }

    @Test
    void malformedExpressionsSayWhatIsWrong() {
        assertThatThrownBy(() -> CronExpression.parse("* * *")).hasMessageContaining("5 or 6 fields");
        assertThatThrownBy(() -> CronExpression.parse("61 * * * *")).hasMessageContaining("61 is out of the minutes");
        assertThatThrownBy(() -> CronExpression.parse("0 0 L * *")).hasMessageContaining("'L' in the day of month");
        assertThatThrownBy(() -> CronExpression.parse("5-1 * * * *")).hasMessageContaining("runs backwards");
        assertThatThrownBy(() -> CronExpression.parse("*/0 * * * *")).hasMessageContaining("0 is out of");
        assertThatThrownBy(() -> CronExpression.parse("1,,2 * * * *")).hasMessageContaining("empty list item");
    }
}
