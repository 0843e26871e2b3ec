package dev.pier.translate;

import dev.pier.model.HttpsPolicy;
import dev.pier.model.Problem;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An Ingress's HTTPS: the certificates of its {@code spec.tls} (Secrets in its namespace, or ordered
 * by Pier over ACME when the annotation {@value #ACME} says {@code "true"}) and
 * whether its paths redirect plain HTTP, which they do on hosts that have TLS unless the one
 * annotation Pier reads, {@value #SSL_REDIRECT}, says {@code "false"} (strictly: {@code "true"} or
 * {@code "false"}, anything else is reported and the default kept).
 */
final class IngressTls {
    /** Turns the HTTPS redirect off for this Ingress's paths, as ingress-nginx's {@code ssl-redirect} does. */
    static final String SSL_REDIRECT = "pier.dev/ssl-redirect";
    /** {@code "true"}: Pier orders the certificates of every {@code spec.tls} entry over ACME (strictly "true" or "false"). */
    static final String ACME = "pier.dev/acme";

    private final CertificateRefs certificates;
    private final AcmeClaims acme;

    IngressTls(CertificateRefs certificates, AcmeClaims acme) {
        this.certificates = certificates;
        this.acme = acme;
    }

    List<TlsClaim> claims(Ingress ingress, boolean deleting, ObjectProblems problems) {
        List<IngressTLS> entries = ingress.getSpec() == null || ingress.getSpec().getTls() == null
                ? List.of() : ingress.getSpec().getTls();
        List<TlsClaim> out = new ArrayList<>();
        String namespace = ingress.getMetadata().getNamespace();
        boolean ordered = AcmeClaims.annotationFlag(ingress.getMetadata().getAnnotations(), ACME, problems);
        for (int i = 0; i < entries.size(); i++) {
            IngressTLS tls = entries.get(i);
            String field = "spec.tls[" + i + "]";
            List<String> hosts = new ArrayList<>();
            boolean badHost = false;
            for (int h = 0; tls.getHosts() != null && h < tls.getHosts().size(); h++) {
                String host = tls.getHosts().get(h);
                Optional<String> name = host == null || host.isEmpty() ? Optional.empty() : IngressRoutes.hostname(host);
                if (name.isEmpty()) {
                    problems.invalid(field + ".hosts[" + h + "]", "\"" + host + "\" is not a valid host name; this certificate is left out");
                    badHost = true;
                } else if (!hosts.contains(name.get())) {
                    hosts.add(name.get());
                }
            }
            if (badHost) continue;
            if (hosts.isEmpty()) {
                problems.invalid(field + ".hosts", "empty; Pier serves a certificate only for the hosts listed, so it is left out");
                continue;
            }
            String secretName = tls.getSecretName();
            if (secretName == null || secretName.isEmpty()) {
                problems.invalid(field + ".secretName", "missing; this certificate is left out");
                continue;
            }
            hosts.sort(null);
            if (ordered) {
                out.add(acme.claim(IngressRoutes.ref(ingress), IngressRoutes.createdAt(ingress), deleting, field, namespace,
                        secretName, hosts, problems));
                continue;
            }
            out.add(new TlsClaim(IngressRoutes.ref(ingress), IngressRoutes.createdAt(ingress), deleting, field, hosts,
                    certificates.resolve(namespace, secretName, hosts, field + ".secretName",
                            "its hosts get the default certificate", problems).orElse(null)));
        }
        return out;
    }

    /** Redirect unless the annotation turns it off; no HSTS (Ingress has no field for it: use a GatewayRoute). */
    static HttpsPolicy policy(Ingress ingress, ObjectProblems problems) {
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(SSL_REDIRECT);
        if (value == null || value.equals("true")) return new HttpsPolicy(true, null);
        if (value.equals("false")) return HttpsPolicy.NONE;
        problems.warning("metadata.annotations[" + SSL_REDIRECT + "]", Problem.INVALID, "\"" + value
                + "\" is neither \"true\" nor \"false\"; the default (redirect) is kept");
        return new HttpsPolicy(true, null);
    }
}
