package dev.pier.translate;

import dev.pier.api.GatewayRoute;
import dev.pier.api.GatewayRouteTLS;
import dev.pier.api.HSTS;
import dev.pier.model.HttpsPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A GatewayRoute's HTTPS: the certificates of {@code spec.tls} (Secrets in its namespace, for the
 * hosts listed or else the route's own), {@code spec.httpsRedirect} and {@code spec.hsts}.
 */
final class GatewayRouteTls {
    private final CertificateRefs certificates;
    private final AcmeClaims acme;

    GatewayRouteTls(CertificateRefs certificates, AcmeClaims acme) {
        this.certificates = certificates;
        this.acme = acme;
    }

    /** @param routeHosts the route's valid hostnames ({@code *} for any), the default of an entry without hostnames */
    List<TlsClaim> claims(GatewayRoute route, List<String> routeHosts, boolean deleting, ObjectProblems problems) {
        List<GatewayRouteTLS> entries = route.getSpec() == null || route.getSpec().getTls() == null
                ? List.of() : route.getSpec().getTls();
        List<TlsClaim> out = new ArrayList<>();
        String namespace = route.getMetadata().getNamespace();
        for (int i = 0; i < entries.size(); i++) {
            GatewayRouteTLS tls = entries.get(i);
            String field = "spec.tls[" + i + "]";
            if (tls == null) {
                problems.invalid(field, "empty; this certificate is left out");
                continue;
            }
            List<String> hosts = new ArrayList<>();
            boolean badHost = false;
            if (tls.getHostnames() == null || tls.getHostnames().isEmpty()) {
                if (routeHosts.contains("*")) {
                    problems.invalid(field + ".hostnames", "empty, and the route serves every host; name the hosts this"
                            + " certificate is for, so it is left out");
                    continue;
                }
                hosts.addAll(routeHosts);
            } else {
                for (int h = 0; h < tls.getHostnames().size(); h++) {
                    String name = tls.getHostnames().get(h);
                    Optional<String> host = name == null || name.isEmpty() || name.equals("*")
                            ? Optional.empty() : IngressRoutes.hostname(name);
                    if (host.isEmpty()) {
                        problems.invalid(field + ".hostnames[" + h + "]", "\"" + name + "\" is not a valid host name"
                                + " (a DNS name, optionally starting with \"*.\"); this certificate is left out");
                        badHost = true;
                    } else if (!hosts.contains(host.get())) {
                        hosts.add(host.get());
                    }
                }
            }
            if (badHost || hosts.isEmpty()) continue;
            if (tls.getSecretName() == null || tls.getSecretName().isEmpty()) {
                problems.invalid(field + ".secretName", "missing; this certificate is left out");
                continue;
            }
            hosts.sort(null);
            if (Boolean.TRUE.equals(tls.getAcme())) {
                out.add(acme.claim(GatewayRouteRoutes.ref(route), GatewayRouteRoutes.createdAt(route), deleting, field, namespace,
                        tls.getSecretName(), hosts, problems));
                continue;
            }
            out.add(new TlsClaim(GatewayRouteRoutes.ref(route), GatewayRouteRoutes.createdAt(route), deleting, field, hosts,
                    certificates.resolve(namespace, tls.getSecretName(), hosts, field + ".secretName",
                            "its hosts get the default certificate", problems).orElse(null)));
        }
        return out;
    }

    /** {@code httpsRedirect} (default true) and {@code hsts}; an HSTS that browsers would refuse is reported and left out. */
    static HttpsPolicy policy(GatewayRoute route, ObjectProblems problems) {
        boolean redirect = route.getSpec() == null || route.getSpec().getHttpsRedirect() == null
                || route.getSpec().getHttpsRedirect();
        HSTS written = route.getSpec() == null ? null : route.getSpec().getHsts();
        if (written == null) return new HttpsPolicy(redirect, null);
        if (written.getMaxAgeSeconds() == null || written.getMaxAgeSeconds() < 0) {
            problems.invalid("spec.hsts.maxAgeSeconds", (written.getMaxAgeSeconds() == null ? "missing" : "negative")
                    + "; no Strict-Transport-Security header is sent");
            return new HttpsPolicy(redirect, null);
        }
        boolean subdomains = Boolean.TRUE.equals(written.getIncludeSubDomains());
        boolean preload = Boolean.TRUE.equals(written.getPreload());
        if (preload && (!subdomains || written.getMaxAgeSeconds() < HttpsPolicy.Hsts.PRELOAD_MIN_MAX_AGE)) {
            problems.invalid("spec.hsts.preload", "preload lists need includeSubDomains: true and maxAgeSeconds of at least "
                    + HttpsPolicy.Hsts.PRELOAD_MIN_MAX_AGE + "; no Strict-Transport-Security header is sent");
            return new HttpsPolicy(redirect, null);
        }
        return new HttpsPolicy(redirect, new HttpsPolicy.Hsts(written.getMaxAgeSeconds(), subdomains, preload));
    }
}
