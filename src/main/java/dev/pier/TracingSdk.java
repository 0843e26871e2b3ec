package dev.pier;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Map;

/**
 * The OpenTelemetry SDK behind {@code --tracing}: configured by the standard {@code OTEL_*}
 * variables (endpoint, protocol, headers, sampler, resource attributes, propagators) through the
 * SDK's own autoconfiguration. Pier sets only defaults a variable overrides: the service name
 * {@code pier} and traces alone (no OTLP metrics or logs: metrics are on {@code /metrics}).
 */
final class TracingSdk {
    private TracingSdk() {
    }

    /** @param defaults more defaults (lowest priority), e.g. a test's receiver endpoint */
    static OpenTelemetrySdk start(Map<String, String> defaults) {
        Map<String, String> all = new HashMap<>();
        all.put("otel.service.name", "pier");
        all.put("otel.metrics.exporter", "none");
        all.put("otel.logs.exporter", "none");
        all.putAll(defaults);
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> all)
                .disableShutdownHook() // PierServer.close() flushes and stops it, after the servers
                .build()
                .getOpenTelemetrySdk();
    }
}
