package dev.herd.manager;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A date format written as pm2 writes them ({@code log_date_format}, {@code logs --timestamp}):
 * dayjs's format strings. The tokens understood are {@code YYYY YY M MM MMM MMMM D DD d dd ddd dddd
 * H HH h hh m mm s ss SSS A a Z ZZ X x}; text in {@code [brackets]} is literal, and every other
 * character is copied. Times are in the JVM's default zone (the {@code TZ} of the keeper), as dayjs
 * formats in local time. Immutable and thread-safe.
 */
public final class DayjsFormat {
    /** pm2's format for {@code --time}: {@code 2026-12-07T07:58:45}. */
    public static final String PM2_TIME = "YYYY-MM-DDTHH:mm:ss";
    /** pm2's format for {@code logs --timestamp} without a format. */
    public static final String PM2_LOGS_TIMESTAMP = "YYYY-MM-DD-HH:mm:ss";

    private static final String[] TOKENS = {"YYYY", "MMMM", "dddd", "MMM", "ddd", "SSS", "YY", "MM", "DD", "dd", "HH", "hh",
            "mm", "ss", "ZZ", "M", "D", "d", "H", "h", "m", "s", "A", "a", "Z", "X", "x"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"};
    private static final String[] DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

    private final String pattern;
    /** Literal text (a String) and tokens (a Token), in order. */
    private final List<Object> parts;
    private final ZoneId zone;

    private record Token(String name) {}

    private DayjsFormat(String pattern, List<Object> parts, ZoneId zone) {
        this.pattern = pattern;
        this.parts = parts;
        this.zone = zone;
    }

    /**
     * The format {@code pattern}, in the default zone.
     *
     * @param pattern a dayjs format string
     * @return the format
     */
    public static DayjsFormat of(String pattern) {
        return of(pattern, ZoneId.systemDefault());
    }

    /**
     * The format {@code pattern} in {@code zone}.
     *
     * @param pattern a dayjs format string
     * @param zone the zone the times are shown in
     * @return the format
     */
    public static DayjsFormat of(String pattern, ZoneId zone) {
        List<Object> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        outer:
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '[') {
                int end = pattern.indexOf(']', i + 1);
                if (end > 0) {
                    text.append(pattern, i + 1, end);
                    i = end + 1;
                    continue;
                }
            }
            for (String t : TOKENS) {
                if (pattern.startsWith(t, i)) {
                    if (!text.isEmpty()) {
                        parts.add(text.toString());
                        text.setLength(0);
                    }
                    parts.add(new Token(t));
                    i += t.length();
                    continue outer;
                }
            }
            text.append(c);
            i++;
        }
        if (!text.isEmpty()) parts.add(text.toString());
        return new DayjsFormat(pattern, List.copyOf(parts), zone);
    }

    /** {@return the format string} */
    public String pattern() {
        return pattern;
    }

    /**
     * Formats a time.
     *
     * @param epochMillis milliseconds since the epoch
     * @return the time in this format
     */
    public String format(long epochMillis) {
        ZonedDateTime t = ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), zone);
        StringBuilder b = new StringBuilder(pattern.length() + 8);
        for (Object p : parts) {
            if (p instanceof String s) {
                b.append(s);
                continue;
            }
            switch (((Token) p).name()) {
                case "YYYY" -> pad(b, t.getYear(), 4);
                case "YY" -> pad(b, t.getYear() % 100, 2);
                case "M" -> b.append(t.getMonthValue());
                case "MM" -> pad(b, t.getMonthValue(), 2);
                case "MMM" -> b.append(MONTHS[t.getMonthValue() - 1], 0, 3);
                case "MMMM" -> b.append(MONTHS[t.getMonthValue() - 1]);
                case "D" -> b.append(t.getDayOfMonth());
                case "DD" -> pad(b, t.getDayOfMonth(), 2);
                case "d" -> b.append(t.getDayOfWeek().getValue() % 7);
                case "dd" -> b.append(DAYS[t.getDayOfWeek().getValue() % 7], 0, 2);
                case "ddd" -> b.append(DAYS[t.getDayOfWeek().getValue() % 7], 0, 3);
                case "dddd" -> b.append(DAYS[t.getDayOfWeek().getValue() % 7]);
                case "H" -> b.append(t.getHour());
                case "HH" -> pad(b, t.getHour(), 2);
                case "h" -> b.append(hour12(t.getHour()));
                case "hh" -> pad(b, hour12(t.getHour()), 2);
                case "m" -> b.append(t.getMinute());
                case "mm" -> pad(b, t.getMinute(), 2);
                case "s" -> b.append(t.getSecond());
                case "ss" -> pad(b, t.getSecond(), 2);
                case "SSS" -> pad(b, t.getNano() / 1_000_000, 3);
                case "A" -> b.append(t.getHour() < 12 ? "AM" : "PM");
                case "a" -> b.append(t.getHour() < 12 ? "am" : "pm");
                case "Z", "ZZ" -> offset(b, t.getOffset().getTotalSeconds(), ((Token) p).name().equals("Z"));
                case "X" -> b.append(Math.floorDiv(epochMillis, 1000));
                case "x" -> b.append(epochMillis);
                default -> throw new IllegalStateException(((Token) p).name());
            }
        }
        return b.toString();
    }

    /** Whether the format shows anything finer than a second (a cache per second would be wrong). */
    boolean finerThanSeconds() {
        return parts.stream().anyMatch(p -> p instanceof Token(String name) && (name.equals("SSS") || name.equals("x")));
    }

    private static int hour12(int h) {
        int r = h % 12;
        return r == 0 ? 12 : r;
    }

    private static void pad(StringBuilder b, int n, int width) {
        String s = Integer.toString(n);
        for (int i = s.length(); i < width; i++) b.append('0');
        b.append(s);
    }

    private static void offset(StringBuilder b, int seconds, boolean colon) {
        b.append(seconds < 0 ? '-' : '+');
        int abs = Math.abs(seconds) / 60;
        pad(b, abs / 60, 2);
        if (colon) b.append(':');
        pad(b, abs % 60, 2);
    }

    @Override
    public String toString() {
        return pattern;
    }
}
