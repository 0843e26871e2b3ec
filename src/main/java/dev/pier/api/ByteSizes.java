package dev.pier.api;

import java.util.regex.Matcher;

/**
 * Parses the sizes of GatewayRoute fields ({@code maxRequestBodySize}) and of size flags: a whole
 * number of bytes with an optional binary suffix, {@code 65536}, {@code 64Ki}, {@code 10Mi},
 * {@code 1Gi}. The CRD schema checks the same {@link #PATTERN}.
 */
public final class ByteSizes {
    private ByteSizes() {
    }

    public static final String PATTERN = "^[0-9]+(Ki|Mi|Gi)?$";
    private static final java.util.regex.Pattern WHOLE = java.util.regex.Pattern.compile("([0-9]+)(Ki|Mi|Gi)?");

    /** @throws IllegalArgumentException naming the text when it is not of the pattern or too large */
    public static long parse(String text) {
        Matcher m = text == null ? null : WHOLE.matcher(text);
        if (m == null || !m.matches())
            throw new IllegalArgumentException("invalid size \"" + text + "\": expected bytes such as 65536, 64Ki, 10Mi, 1Gi");
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "Ki" -> 10;
            case "Mi" -> 20;
            default -> 30;
        };
        try {
            long n = Long.parseLong(m.group(1));
            if (n > (Long.MAX_VALUE >> shift)) throw new NumberFormatException();
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid size \"" + text + "\": too large");
        }
    }
}
