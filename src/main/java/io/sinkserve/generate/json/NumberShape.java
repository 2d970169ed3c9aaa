package io.sinkserve.generate.json;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A JSON number, optionally an integer, optionally within closed bounds. The parser only writes numbers
 * it can decide on digit by digit: at most {@link #maxIntDigits} integer digits and {@link #scale}
 * fraction digits (none for integers), and an exponent only for an unbounded non-integer number. Bounds
 * are snapped to that decimal grid at compile time, so "some completion of this prefix lies within the
 * bounds" is an exact interval test (see {@link #viable}).
 */
final class NumberShape extends Node {
    static final int DEFAULT_DIGITS = 20;
    static final int MAX_EXPONENT_DIGITS = 2;

    private final boolean integer;
    private final BigDecimal min;
    private final BigDecimal max;
    private final int scale;
    private final int maxIntDigits;
    private final BigDecimal ulp;

    private NumberShape(boolean integer, BigDecimal min, BigDecimal max, int scale, int maxIntDigits) {
        this.integer = integer;
        this.min = min;
        this.max = max;
        this.scale = scale;
        this.maxIntDigits = maxIntDigits;
        this.ulp = BigDecimal.ONE.movePointLeft(scale);
    }

    /**
     * A number in the given bounds (null: unbounded), each inclusive or exclusive as JSON Schema's
     * minimum/exclusiveMinimum and maximum/exclusiveMaximum say.
     */
    static NumberShape of(boolean integer, BigDecimal lower, boolean lowerExclusive, BigDecimal upper,
                          boolean upperExclusive) {
        int scale = integer ? 0 : Math.max(DEFAULT_DIGITS, Math.max(scaleOf(lower), scaleOf(upper)));
        int intDigits = Math.max(DEFAULT_DIGITS, Math.max(intDigitsOf(lower), intDigitsOf(upper)));
        BigDecimal ulp = BigDecimal.ONE.movePointLeft(scale);
        BigDecimal min = lower == null ? null
                : lowerExclusive ? lower.setScale(scale, RoundingMode.FLOOR).add(ulp) : lower.setScale(scale, RoundingMode.CEILING);
        BigDecimal max = upper == null ? null
                : upperExclusive ? upper.setScale(scale, RoundingMode.CEILING).subtract(ulp) : upper.setScale(scale, RoundingMode.FLOOR);
        return new NumberShape(integer, min, max, scale, intDigits);
    }

    private static int scaleOf(BigDecimal v) {
        return v == null ? 0 : Math.max(0, v.stripTrailingZeros().scale());
    }

    private static int intDigitsOf(BigDecimal v) {
        return v == null ? 0 : v.abs().setScale(0, RoundingMode.CEILING).toPlainString().length() + 1;
    }

    boolean integer() {
        return integer;
    }

    boolean bounded() {
        return min != null || max != null;
    }

    boolean allowsExponent() {
        return !integer && !bounded();
    }

    int scale() {
        return scale;
    }

    int maxIntDigits() {
        return maxIntDigits;
    }

    /** Whether the complete number {@code text} lies within the bounds. */
    boolean contains(String text) {
        if (!bounded()) {
            return true;
        }
        BigDecimal v = new BigDecimal(text);
        return (min == null || v.compareTo(min) >= 0) && (max == null || v.compareTo(max) <= 0);
    }

    /**
     * Whether some number that starts with {@code prefix} (sign, integer digits, optional point and
     * fraction digits; no exponent) and fits the digit limits lies within the bounds.
     */
    boolean viable(String prefix) {
        if (!bounded()) {
            return true;
        }
        boolean negative = prefix.startsWith("-");
        // the magnitude m of a value ±m within [min, max] lies within [low, high] (null: unbounded)
        BigDecimal low = negative ? negate(max) : min;
        BigDecimal high = negative ? negate(min) : max;
        String magnitude = negative ? prefix.substring(1) : prefix;
        if (magnitude.isEmpty()) {
            return meets(BigDecimal.ZERO, BigDecimal.ONE.movePointRight(maxIntDigits).subtract(ulp), low, high);
        }
        int point = magnitude.indexOf('.');
        if (point >= 0) {
            int fraction = magnitude.length() - point - 1;
            BigDecimal from = new BigDecimal(fraction == 0 ? magnitude.substring(0, point) : magnitude);
            return meets(from, from.add(BigDecimal.ONE.movePointLeft(fraction)).subtract(ulp), low, high);
        }
        BigDecimal digits = new BigDecimal(magnitude);
        if (digits.signum() == 0) {
            return meets(BigDecimal.ZERO, BigDecimal.ONE.subtract(ulp), low, high); // a leading 0 takes no more digits
        }
        // with j more integer digits the magnitude spans [P·10^j, (P+1)·10^j − ulp]; both ends grow with
        // j, so take the fewest digits whose span reaches low and check that it starts below high
        int spare = maxIntDigits - magnitude.length();
        int j = 0;
        if (low != null) {
            int lowDigits = low.signum() > 0 ? low.precision() - low.scale() : 0;
            j = Math.max(0, lowDigits - magnitude.length() - 1);
            BigDecimal next = digits.add(BigDecimal.ONE);
            while (j <= spare && next.movePointRight(j).subtract(ulp).compareTo(low) < 0) {
                j++;
            }
        }
        return j <= spare && (high == null || digits.movePointRight(j).compareTo(high) <= 0);
    }

    private static BigDecimal negate(BigDecimal v) {
        return v == null ? null : v.negate();
    }

    /** Whether [from, to] meets [low, high]. */
    private static boolean meets(BigDecimal from, BigDecimal to, BigDecimal low, BigDecimal high) {
        return (high == null || from.compareTo(high) <= 0) && (low == null || to.compareTo(low) >= 0);
    }

    @Override
    int computeMinFrames() {
        return min != null && max != null && min.compareTo(max) > 0 ? UNREACHABLE : 1;
    }
}
