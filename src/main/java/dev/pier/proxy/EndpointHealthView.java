package dev.pier.proxy;

import java.util.List;

/**
 * What {@code /routes} shows of one endpoint's health: passive outlier state and each active check
 * that watches it.
 *
 * @param service             {@code namespace/name:port}
 * @param endpoint            {@code host:port}
 * @param ejected             whether outlier detection has it ejected now
 * @param ejectedForMillis    time left in the current ejection, 0 when not ejected
 * @param ejections           the ejection count the next ejection's length grows from
 * @param consecutiveFailures failures in a row so far
 * @param checks              the active health checks of the endpoint, one per distinct check definition
 */
public record EndpointHealthView(String service, String endpoint, boolean ejected, long ejectedForMillis, int ejections,
                                 int consecutiveFailures, List<Check> checks) {
    public EndpointHealthView {
        checks = List.copyOf(checks);
    }

    /** One active check's view of the endpoint. */
    public record Check(String path, boolean healthy, int consecutiveFailures, int consecutiveSuccesses) {}
}
