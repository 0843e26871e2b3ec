package dev.pier.model;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the data plane needs to route, except endpoints (kept apart so that pod churn
 * never rebuilds routes). A request host picks one virtual host: exact name, then the wildcard
 * for its parent domain, then {@code *}; when none of its routes match, {@code defaultRoute}
 * (an Ingress {@code defaultBackend}) answers if set. Each hostname has one virtual host.
 *
 * <p>HTTPS picks a certificate by the handshake's server name the same way (exact, then the
 * one-label wildcard), else {@code defaultCertificate}, else the one the data plane generated at
 * start (null here). Each TLS hostname has one certificate.
 *
 * <p>{@code acmeChallenges} are the answers to the ACME validations in progress (HTTP-01 on the
 * plain port, TLS-ALPN-01 on the HTTPS port), at most one of each type per hostname.
 */
public record RoutingTable(List<VirtualHost> virtualHosts, Route defaultRoute, List<TlsCertificate> certificates,
                           TlsCertificate defaultCertificate, List<AcmeChallenge> acmeChallenges) {
    public RoutingTable {
        virtualHosts = List.copyOf(virtualHosts);
        certificates = List.copyOf(certificates);
        acmeChallenges = List.copyOf(acmeChallenges);
        Set<String> challenged = new HashSet<>();
        for (AcmeChallenge c : acmeChallenges) {
            if (!challenged.add(c.type() + " " + c.hostname())) throw new IllegalArgumentException("two " + c.type() + " challenges for " + c.hostname());
        }
        Set<String> names = new HashSet<>();
        for (VirtualHost vh : virtualHosts) {
            if (!names.add(vh.hostname())) throw new IllegalArgumentException("two virtual hosts named " + vh.hostname());
        }
        Set<String> tlsNames = new HashSet<>();
        for (TlsCertificate c : certificates) {
            for (String h : c.hostnames()) {
                if (!tlsNames.add(h)) throw new IllegalArgumentException("two certificates for " + h);
            }
        }
    }

    /** Without ACME challenges. */
    public RoutingTable(List<VirtualHost> virtualHosts, Route defaultRoute, List<TlsCertificate> certificates,
                        TlsCertificate defaultCertificate) {
        this(virtualHosts, defaultRoute, certificates, defaultCertificate, List.of());
    }

    /** Without certificates. */
    public RoutingTable(List<VirtualHost> virtualHosts, Route defaultRoute) {
        this(virtualHosts, defaultRoute, List.of(), null);
    }

    public static final RoutingTable EMPTY = new RoutingTable(List.of(), null);
}
