package dev.herd.manager;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;

/**
 * A cron expression, as pm2's {@code cron_restart} takes it (pm2 hands it to croner): five fields
 * (minute, hour, day of month, month, day of week) or six with seconds first. Each field is
 * {@code *} (or {@code ?}), a value, a range {@code a-b}, a step {@code * / n}, {@code a-b/n} or
 * {@code a/n}, or a comma-separated list of those; months and days of the week may be named
 * ({@code JAN}, {@code MON}); Sunday is 0 or 7. The macros {@code @yearly}, {@code @annually},
 * {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @midnight} and {@code @hourly} are
 * accepted. As in cron and croner, when both the day of month and the day of week are restricted
 * a day matching either one fires. Not supported (an error, not a silent misreading): croner's
 * {@code L}, {@code W} and {@code #}. Times are in the daemon's time zone.
 *
 * <p>Herd parses it itself: no cron library is served to this build, and the grammar is small.
 * Immutable and thread-safe.
 */
final class CronExpression {
    private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 0 1 1 *", "@annually", "0 0 0 1 1 *",
            "@monthly", "0 0 0 1 * *", "@weekly", "0 0 0 * * 0", "@daily", "0 0 0 * * *", "@midnight", "0 0 0 * * *",
            "@hourly", "0 0 * * * *");
    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
    /** How far ahead {@link #next} looks before it says the expression never fires again. */
    private static final int YEARS_AHEAD = 8;

    private final String text;
    private final BitSet seconds;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private CronExpression(String text, String[] f) {
        this.text = text;
        seconds = field(f[0], 0, 59, null, "seconds");
        minutes = field(f[1], 0, 59, null, "minutes");
        hours = field(f[2], 0, 23, null, "hours");
        daysOfMonth = field(f[3], 1, 31, null, "day of month");
        months = field(f[4], 1, 12, MONTHS, "month");
        BitSet dow = field(f[5], 0, 7, DAYS, "day of week");
        if (dow.get(7)) dow.set(0);
        daysOfWeek = dow;
        domRestricted = !isAll(f[3]);
        dowRestricted = !isAll(f[5]);
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static CronExpression parse(String text) {
        String t = text.strip();
        String macro = MACROS.get(t.toLowerCase(Locale.ROOT));
        String[] f = (macro != null ? macro : t).split("\\s+");
        if (f.length == 5) {
            String[] six = new String[6];
            six[0] = "0";
            System.arraycopy(f, 0, six, 1, 5);
            f = six;
        } else if (f.length != 6) {
            throw new IllegalArgumentException("5 or 6 fields, not " + (t.isEmpty() ? 0 : f.length));
        }
        CronExpression c = new CronExpression(text, f);
        if (c.next(ZonedDateTime.now()) == null) throw new IllegalArgumentException("it never fires");
        return c;
    }

    private static boolean isAll(String f) {
        return f.equals("*") || f.equals("?");
    }

    private static BitSet field(String f, int min, int max, String[] names, String what) {
        BitSet set = new BitSet(max + 1);
        for (String part : f.split(",", -1)) {
            if (part.isEmpty()) throw new IllegalArgumentException("an empty list item in the " + what + " field");
            int step = 1;
            int slash = part.indexOf('/');
            String range = part;
            if (slash >= 0) {
                step = number(part.substring(slash + 1), 1, max - min + 1, null, 0, what);
                range = part.substring(0, slash);
            }
            int from;
            int to;
            if (isAll(range)) {
                from = min;
                to = max;
            } else {
                int dash = range.indexOf('-', 1);
                if (dash >= 0) {
                    from = number(range.substring(0, dash), min, max, names, min, what);
                    to = number(range.substring(dash + 1), min, max, names, min, what);
                    if (to < from) throw new IllegalArgumentException("the range " + range + " of the " + what + " field runs backwards");
                } else {
                    from = number(range, min, max, names, min, what);
                    to = slash >= 0 ? max : from;
                }
            }
            for (int v = from; v <= to; v += step) set.set(v);
        }
        return set;
    }

    private static int number(String s, int min, int max, String[] names, int base, String what) {
        if (names != null) {
            for (int i = 0; i < names.length; i++) if (names[i].equalsIgnoreCase(s)) return i + base;
        }
        if (!s.matches("\\d{1,4}")) throw new IllegalArgumentException("'" + s + "' in the " + what + " field is not a number");
        int n = Integer.parseInt(s);
        if (n < min || n > max) {
            throw new IllegalArgumentException(n + " is out of the " + what + " field's range " + min + "-" + max);
        }
        return n;
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean dom = daysOfMonth.get(t.getDayOfMonth());
        boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
        if (domRestricted && dowRestricted) return dom || dow;
        return dom && dow;
    }

    /**
     * The first time after {@code after} (strictly, to the second) that the expression names.
     *
     * @return that time, or null if there is none within the next years (Feb 30)
     */
    ZonedDateTime next(ZonedDateTime after) {
        ZonedDateTime t = after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        ZonedDateTime limit = after.plusYears(YEARS_AHEAD);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            } else if (!seconds.get(t.getSecond())) {
                t = t.plusSeconds(1);
            } else {
                return t;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
