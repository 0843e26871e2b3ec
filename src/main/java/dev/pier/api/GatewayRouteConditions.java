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

    /**
     * Only on a route with a {@code tls} entry that has {@code acme: true}: True while Pier serves a
     * certificate it ordered for every such entry. The reasons are below and in {@code dev.pier.model.Problem}
     * (HostNotAllowed, UnsupportedHost, SecretNotOwned, AcmeNotConfigured, OrderFailed).
     */
    public static final String CERTIFICATE_READY = "CertificateReady";
    /** CertificateReady=True: the ordered certificate is served. */
    public static final String REASON_ISSUED = "Issued";
    /** CertificateReady=True: the certificate is served, but renewing it failed; the message says when the next try is. */
    public static final String REASON_RENEWAL_FAILING = "RenewalFailing";
    /** CertificateReady=False: no certificate yet (ordering, or waiting for the leader to); hosts get the default one meanwhile. */
    public static final String REASON_PENDING = "Pending";

    /** Accepted=True: every rule is served. */
    public static final String REASON_ACCEPTED = "Accepted";
    /** Accepted=True: some rules are left out as invalid; the message names them. */
    public static final String REASON_PARTIALLY_INVALID = "PartiallyInvalid";
    /** Accepted=False: no rule could be used; the message names each problem. */
    public static final String REASON_INVALID = "Invalid";

    /**
     * ResolvedRefs=True: all Services and ports exist. When False, the reason is that of the first
     * reference problem ({@code dev.pier.model.Problem}: BackendNotFound, PortNotFound,
     * UnsupportedBackend, UnsupportedProtocol).
     */
    public static final String REASON_RESOLVED_REFS = "ResolvedRefs";
}
