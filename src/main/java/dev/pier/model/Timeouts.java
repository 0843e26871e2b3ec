package dev.pier.model;

import java.time.Duration;

/**
 * Per-route time limits; null means none set (the data plane's default applies). {@code request}
 * bounds the whole exchange, {@code backendRequest} each try, {@code connect} each TCP connect to a
 * backend, {@code websocketIdle} a websocket with no frame either way.
 */
public record Timeouts(Duration request, Duration backendRequest, Duration connect, Duration websocketIdle) {
    public static final Timeouts NONE = new Timeouts(null, null, null, null);

    public Timeouts {
        for (Duration d : new Duration[]{request, backendRequest, connect, websocketIdle}) {
            if (d != null && d.isNegative()) throw new IllegalArgumentException("negative timeout");
        }
        if (connect != null && connect.isZero()) throw new IllegalArgumentException("connect timeout of zero");
        if (websocketIdle != null && websocketIdle.isZero()) throw new IllegalArgumentException("websocket idle timeout of zero");
    }

    /** Only the exchange and per-try bounds. */
    public Timeouts(Duration request, Duration backendRequest) {
        this(request, backendRequest, null, null);
    }
}
