package dev.pier.model;

import java.time.Duration;

/** {@code request} bounds the whole exchange, {@code backendRequest} each try; null means none set. */
public record Timeouts(Duration request, Duration backendRequest) {
    public static final Timeouts NONE = new Timeouts(null, null);

    public Timeouts {
        if ((request != null && request.isNegative()) || (backendRequest != null && backendRequest.isNegative()))
            throw new IllegalArgumentException("negative timeout");
    }
}
