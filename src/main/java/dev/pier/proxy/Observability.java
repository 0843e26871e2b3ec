package dev.pier.proxy;

import io.opentelemetry.api.OpenTelemetry;

/**
 * What the data plane reports about each exchange besides its meters.
 *
 * @param accessLog     where access-log lines go; null for none
 * @param openTelemetry the tracing SDK a span per request goes to; null for tracing off
 */
public record Observability(AccessLog accessLog, OpenTelemetry openTelemetry) {
    public static final Observability NONE = new Observability(null, null);
}
