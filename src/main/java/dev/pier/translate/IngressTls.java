package dev.pier.translate;

import dev.pier.model.ObjectRef;
import dev.pier.model.Problem;
import dev.pier.model.TlsCertificate;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The certificates of an Ingress's {@code spec.tls}, read from {@code kubernetes.io/tls} Secrets in its namespace. */
public final class IngressTls {
    /** The Secret type of a certificate and key; the cluster source reads only Secrets of this type. */
    public static final String TLS_SECRET_TYPE = "kubernetes.io/tls";

    private final Map<String, Secret> secrets; // "namespace/name" -> Secret

    IngressTls(Map<String, Secret> secrets) {
        this.secrets = secrets;
    }

    List<TlsCertificate> certificates(Ingress ingress, ObjectProblems problems) {
        List<IngressTLS> entries = ingress.getSpec() == null || ingress.getSpec().getTls() == null
                ? List.of() : ingress.getSpec().getTls();
        List<TlsCertificate> out = new ArrayList<>();
        String namespace = ingress.getMetadata().getNamespace();
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
                } else {
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
            Secret secret = secrets.get(namespace + "/" + secretName);
            String where = field + ".secretName";
            String what = "Secret " + namespace + "/" + secretName;
            if (secret == null) {
                problems.unresolved(where, Problem.INVALID_CERTIFICATE_REF, what + " not found; this certificate is left out");
                continue;
            }
            if (!TLS_SECRET_TYPE.equals(secret.getType())) {
                problems.unresolved(where, Problem.INVALID_CERTIFICATE_REF, what + " has type \"" + secret.getType() + "\", not "
                        + TLS_SECRET_TYPE + "; this certificate is left out");
                continue;
            }
            String cert;
            String key;
            try {
                cert = value(secret, "tls.crt");
                key = value(secret, "tls.key");
            } catch (IllegalArgumentException e) {
                problems.unresolved(where, Problem.INVALID_CERTIFICATE_REF, what + ": " + e.getMessage() + "; this certificate is left out");
                continue;
            }
            if (cert == null || !cert.contains("-----BEGIN CERTIFICATE-----")) {
                problems.unresolved(where, Problem.INVALID_CERTIFICATE_REF, what + ": tls.crt is missing or holds no PEM certificate;"
                        + " this certificate is left out");
                continue;
            }
            if (key == null || !key.contains("-----BEGIN") || !key.contains("PRIVATE KEY-----")) {
                problems.unresolved(where, Problem.INVALID_CERTIFICATE_REF, what + ": tls.key is missing or holds no PEM private key;"
                        + " this certificate is left out");
                continue;
            }
            out.add(new TlsCertificate(new ObjectRef("Secret", namespace, secretName), hosts.stream().sorted().distinct().toList(), cert, key));
        }
        return out;
    }

    /** {@code data} is base64 (what the API server stores); {@code stringData} is plain text (hand-written files). */
    private static String value(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().get(key) != null) {
            try {
                return new String(Base64.getMimeDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data." + key + " is not valid base64", e);
            }
        }
        return secret.getStringData() == null ? null : secret.getStringData().get(key);
    }
}
