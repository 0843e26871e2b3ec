package dev.pier.api;

/**
 * The condition types and reasons Pier writes to {@code status.conditions} of a GatewayRoute,
 * in one place so translation, the status writer and the docs agree. A route of another class
 * gets no status from Pier: another controller (or another Pier) may serve it.
 */
public final class GatewayRouteConditions {
    private GatewayRouteConditions() {
    }

    /** True when at least one rule is served. */
    public static final String ACCEPTED = "Accepted";
    /** True when every backendRef and resolver target names an existing Service and port. */
    public static final String RESOLVED_REFS = "ResolvedRefs";

    /** Accepted=True: every rule is served. */
    public static final String REASON_ACCEPTED = "Accepted";
    /** Accepted=True: some rules are left out as invalid; the message names them. */
    public static final String REASON_PARTIALLY_INVALID = "PartiallyInvalid";
    /** Accepted=False: no rule could be used; the message names each problem. */
    public static final String REASON_INVALID = "Invalid";

    /** ResolvedRefs=True: all Services and ports exist. */
    public static final String REASON_RESOLVED_REFS = "ResolvedRefs";
    /** ResolvedRefs=False: a backendRef names a Service that does not exist. */
    public static final String REASON_BACKEND_NOT_FOUND = "BackendNotFound";
    /** ResolvedRefs=False: the Service exists but has no such port. */
    public static final String REASON_PORT_NOT_FOUND = "PortNotFound";
    /** ResolvedRefs=False: an ExternalName Service while --allow-external-name is off. */
    public static final String REASON_UNSUPPORTED_BACKEND = "UnsupportedBackend";
}
