package dev.pier.api;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations of GatewayRoute fields ({@code timeouts}, {@code retry.backoff}): one or
 * more number-unit pairs, units {@code ms}, {@code s}, {@code m}, {@code h}, e.g. {@code 50ms},
 * {@code 1.5s}, {@code 1h30m}. The CRD schema checks the same {@link #PATTERN}; file mode has
 * no API server, so translation parses with this and reports what fails.
 */
public final class Durations {
    private Durations() {
    }

    /** The schema pattern of a duration (Gateway API style, with decimals). */
    public static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

    private static final Pattern WHOLE = Pattern.compile(PATTERN);
    // "ms" before "m" so that 5ms is not read as 5m followed by garbage
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

    /**
     * Returns the duration {@code text} stands for.
     *
     * @throws IllegalArgumentException naming the text when it is null, not of the pattern,
     *                                  finer than a nanosecond or too large for a {@link Duration}
     */
    public static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("invalid duration \"" + text
                    + "\": expected number-unit pairs such as 500ms, 15s, 1.5s, 1h30m (units ms, s, m, h)");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            nanos = nanos.add(new BigDecimal(part.group(1)).multiply(nanosPer(part.group(2))));
        }
        BigDecimal[] secondsAndNanos = nanos.divideAndRemainder(NANOS_PER_SECOND);
        if (secondsAndNanos[1].stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\": finer than a nanosecond");
        }
        try {
            return Duration.ofSeconds(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\": too large");
        }
    }

    private static BigDecimal nanosPer(String unit) {
        return switch (unit) {
            case "ms" -> BigDecimal.valueOf(1_000_000L);
            case "s" -> NANOS_PER_SECOND;
            case "m" -> BigDecimal.valueOf(60_000_000_000L);
            case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
            default -> throw new IllegalStateException("unit " + unit); // PATTERN admits no other
        };
    }
}
