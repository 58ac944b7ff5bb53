package dev.herd.node.json;

import java.math.BigDecimal;

/**
 * ECMAScript's Number::toString(x) for radix 10 — what {@code String(x)} and {@code JSON.stringify}
 * print for a finite number: the shortest digits that round-trip, then JavaScript's layout rules
 * ({@code 1e+21}, {@code 1e-7}, {@code 123}, {@code 0.000001}).
 *
 * <p>The digits come from {@link Double#toString(double)}, which since JDK 19 gives the shortest
 * decimal that rounds to the double. One difference remains: when a single digit would do, Java may
 * print two that lie closer ({@code 4.9E-324} for JavaScript's {@code 5e-324}); only subnormals with
 * a handful of significant bits are affected, and {@link #shortest} tries the one-digit candidates
 * there. Static and thread-safe.
 */
final class JsNumbers {
    /** Below this, a double has at most ~7 significant bits: the only place Java may print 2 digits where 1 rounds back. */
    private static final double FEW_BITS = 1e-300;

    private JsNumbers() {
    }

    /** Number::toString(d) of a finite, non-integer-or-large double (callers print small integers themselves). */
    static String toString(double d) {
        if (d == 0) {
            return "0"; // -0 too
        }
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        double abs = Math.abs(d);
        Decimal dec = shortest(abs);
        StringBuilder out = new StringBuilder(dec.digits.length() + 8);
        if (d < 0) {
            out.append('-');
        }
        layout(out, dec.digits, dec.n);
        return out.toString();
    }

    /** The shortest digits s (no leading or trailing zeros) and exponent n with abs = 0.s × 10^n. */
    record Decimal(String digits, int n) {
    }

    static Decimal shortest(double abs) {
        String j = Double.toString(abs);
        int e = j.indexOf('E');
        String mantissa = e < 0 ? j : j.substring(0, e);
        int exp = e < 0 ? 0 : Integer.parseInt(j, e + 1, j.length(), 10);
        int dot = mantissa.indexOf('.');
        StringBuilder digits = new StringBuilder(mantissa.length());
        digits.append(mantissa, 0, dot).append(mantissa, dot + 1, mantissa.length());
        int n = dot + exp; // position of the decimal point relative to the first digit
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
        }
        n -= lead;
        int end = digits.length();
        while (end > lead + 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        String s = digits.substring(lead, end);
        if (s.length() == 2 && abs < FEW_BITS) {
            Decimal one = oneDigit(abs, s, n);
            if (one != null) {
                return one;
            }
        }
        return new Decimal(s, n);
    }

    /** A one-digit decimal that rounds to abs (the closer of d and d+1 at the first digit), or null. */
    private static Decimal oneDigit(double abs, String two, int n) {
        int first = two.charAt(0) - '0';
        Decimal best = null;
        BigDecimal exact = new BigDecimal(abs);
        BigDecimal bestDistance = null;
        for (int digit = first; digit <= first + 1; digit++) {
            Decimal candidate = digit == 10 ? new Decimal("1", n + 1) : new Decimal(Integer.toString(digit), n);
            BigDecimal value = new BigDecimal(candidate.digits).scaleByPowerOfTen(candidate.n - 1);
            if (value.doubleValue() != abs) {
                continue;
            }
            BigDecimal distance = value.subtract(exact).abs();
            int cmp = bestDistance == null ? -1 : distance.compareTo(bestDistance);
            if (cmp < 0 || (cmp == 0 && (candidate.digits.charAt(0) - '0') % 2 == 0)) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Number::toString steps 6–10: k digits s with the point n places after the first digit. */
    static void layout(StringBuilder out, String s, int n) {
        int k = s.length();
        if (k <= n && n <= 21) {
            out.append(s);
            out.repeat('0', n - k);
        } else if (0 < n && n <= 21) {
            out.append(s, 0, n).append('.').append(s, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.");
            out.repeat('0', -n);
            out.append(s);
        } else {
            int e = n - 1;
            out.append(s.charAt(0));
            if (k > 1) {
                out.append('.').append(s, 1, k);
            }
            out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
    }
}
