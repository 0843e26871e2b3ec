package dev.pier.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * The {@code Server} header Pier puts on a response that has none, as nginx and Envoy do: on
 * relayed responses whose backend sent none (a backend's own passes unchanged) and on Pier's own
 * answers. Off when the configured value is empty.
 */
final class ServerHeader {
    private final CharSequence value;

    ServerHeader(String value) {
        this.value = value == null || value.isEmpty() ? null : HttpHeaders.createOptimized(value);
    }

    void addIfAbsent(MultiMap headers) {
        if (value != null && !headers.contains(HttpHeaders.SERVER)) headers.set(HttpHeaders.SERVER, value);
    }
}
