package dev.pier.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;

/**
 * gRPC as the data plane sees it (the "gRPC over HTTP/2" protocol): which requests are gRPC calls,
 * their deadline ({@code grpc-timeout}), and the gRPC status of Pier's own answers, which a gRPC
 * client gets as a trailers-only response instead of a text body it cannot read.
 */
final class Grpc {
    static final CharSequence GRPC_TIMEOUT = HttpHeaders.createOptimized("grpc-timeout");
    static final CharSequence GRPC_STATUS = HttpHeaders.createOptimized("grpc-status");
    static final CharSequence GRPC_MESSAGE = HttpHeaders.createOptimized("grpc-message");
    static final CharSequence CONTENT_TYPE_GRPC = HttpHeaders.createOptimized("application/grpc");

    /** gRPC status codes Pier answers with (grpc/grpc doc/statuscodes.md). */
    static final int UNKNOWN = 2;
    static final int DEADLINE_EXCEEDED = 4;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    /** A grpc-timeout has at most 8 digits; the largest, in hours, is far beyond any timer worth setting. */
    private static final long MAX_TIMEOUT_MS = 100_000_000L * 3_600_000L;

    private Grpc() {
    }

    /** A gRPC call: {@code content-type} is {@code application/grpc} or {@code application/grpc+<codec>} (also grpc-web). */
    static boolean isCall(HttpServerRequest request) {
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16);
    }

    /**
     * The deadline a {@code grpc-timeout} value gives, in milliseconds (at least 1 for any positive
     * value, rounded up); -1 when absent or not of the form 1 to 8 digits and a unit (H M S m u n).
     */
    static long timeoutMs(String value) {
        if (value == null || value.length() < 2 || value.length() > 9) return -1;
        long amount = 0;
        for (int i = 0; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') return -1;
            amount = amount * 10 + (c - '0');
        }
        long nanos;
        switch (value.charAt(value.length() - 1)) {
            case 'H': return Math.min(MAX_TIMEOUT_MS, amount * 3_600_000L);
            case 'M': return Math.min(MAX_TIMEOUT_MS, amount * 60_000L);
            case 'S': return amount * 1_000L;
            case 'm': return amount;
            case 'u': nanos = amount * 1_000L; break;
            case 'n': nanos = amount; break;
            default: return -1;
        }
        return nanos == 0 ? 0 : Math.max(1, (nanos + 999_999) / 1_000_000);
    }

    /** The {@code grpc-timeout} value for {@code ms} milliseconds (at most 8 digits, so seconds beyond that). */
    static String timeoutValue(long ms) {
        if (ms < 0) ms = 0;
        return ms <= 99_999_999L ? ms + "m" : Math.min(99_999_999L, ms / 1000) + "S";
    }

    /**
     * The gRPC status of one of Pier's own HTTP answers: a timeout is DEADLINE_EXCEEDED, a backend
     * Pier cannot reach UNAVAILABLE, no route UNIMPLEMENTED; the rest as gRPC maps HTTP statuses.
     */
    static int statusFor(int httpStatus) {
        return switch (httpStatus) {
            case 504, 408 -> DEADLINE_EXCEEDED;
            case 502, 503, 429 -> UNAVAILABLE;
            case 404, 405, 501 -> UNIMPLEMENTED;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 413, 431 -> RESOURCE_EXHAUSTED;
            case 400 -> INTERNAL;
            default -> UNKNOWN;
        };
    }

    /** {@code grpc-message} is percent-encoded UTF-8: space to tilde except '%' stay as they are. */
    static String message(String text) {
        String trimmed = text.strip();
        StringBuilder out = new StringBuilder(trimmed.length());
        for (byte b : trimmed.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
