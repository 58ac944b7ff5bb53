package dev.herd.node.v8;

/**
 * JavaScript's Number::toString (ECMA-262 §6.1.6.1.20), for the rare property key that V8 wrote
 * as a number which is not an int32 ({@code {4294967294: x}} has its key written as a double).
 * Static and thread-safe.
 */
final class Numbers {
    /** 2^53: below it every integer-valued double prints as the long it is. */
    private static final double TWO_TO_53 = 9007199254740992.0;

    private Numbers() {
    }

    /** The string JavaScript gives the number {@code d}: {@code String(d)}. */
    static String toJsString(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (d == 0) {
            return "0"; // -0 too
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d < 0) {
            return "-" + toJsString(-d);
        }
        if (d < TWO_TO_53 && d == Math.rint(d)) {
            return Long.toString((long) d);
        }
        // Java's Double.toString gives the shortest digits that round-trip (JDK 19 and later);
        // only the layout differs from JavaScript's.
        String java = Double.toString(d);
        int e = java.indexOf('E');
        int exponent = e < 0 ? 0 : Integer.parseInt(java.substring(e + 1));
        String mantissa = e < 0 ? java : java.substring(0, e);
        int dot = mantissa.indexOf('.');
        String digits = mantissa.substring(0, dot) + mantissa.substring(dot + 1);
        int n = dot + exponent; // the decimal point sits after n digits
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
            n--;
        }
        int trail = digits.length();
        while (trail > lead + 1 && digits.charAt(trail - 1) == '0') {
            trail--;
        }
        digits = digits.substring(lead, trail);
        if (digits.length() == 2) {
            // Java never prints fewer than two digits and then prefers the closer pair (4.9E-324),
            // where JavaScript takes one digit whenever one rounds back to d (5e-324).
            String one = oneDigit(d, digits, n);
            if (one != null) {
                if (one.length() == 2) {
                    n++; // "10": 9.6 rounded up to the next power of ten
                }
                digits = one.substring(0, 1);
            }
        }
        int k = digits.length();
        if (k <= n && n <= 21) {
            return digits + "0".repeat(n - k);
        }
        if (0 < n && n <= 21) {
            return digits.substring(0, n) + "." + digits.substring(n);
        }
        if (-6 < n && n <= 0) {
            return "0." + "0".repeat(-n) + digits;
        }
        String exp = (n - 1 >= 0 ? "e+" : "e-") + Math.abs(n - 1);
        return k == 1 ? digits + exp : digits.charAt(0) + "." + digits.substring(1) + exp;
    }

    /**
     * The one digit (as a string; "10" when rounding up carries) that stands for {@code d} with
     * the decimal point after {@code n} digits, closest to {@code d} among those that read back as
     * {@code d}; or null when no single digit does.
     */
    private static String oneDigit(double d, String two, int n) {
        int first = two.charAt(0) - '0';
        String best = null;
        java.math.BigDecimal bestDistance = null;
        java.math.BigDecimal exact = new java.math.BigDecimal(d);
        for (int candidate : new int[] {first, first + 1}) {
            java.math.BigDecimal value = java.math.BigDecimal.valueOf(candidate).scaleByPowerOfTen(n - 1);
            if (value.doubleValue() != d) {
                continue;
            }
            java.math.BigDecimal distance = value.subtract(exact).abs();
            if (bestDistance == null || distance.compareTo(bestDistance) < 0) {
                best = Integer.toString(candidate);
                bestDistance = distance;
            }
        }
        return best;
    }
}
