package dev.pier.model;

import java.util.Objects;

/**
 * TLS to a backend. {@code serverName} is sent as SNI and, when verifying, is the name the backend's
 * certificate must carry; {@code caCertificates} (PEM, from {@code caBundle}) are the roots its
 * chain must end in. Verification is off only when the route says so ({@code insecureSkipVerify}),
 * and then no CA bundle is held.
 */
public record BackendTls(String serverName, ObjectRef caBundle, String caCertificates, boolean verify) {
    public BackendTls {
        if (serverName == null || serverName.isEmpty()) throw new IllegalArgumentException("BackendTls.serverName is empty");
        if (verify && (caBundle == null || caCertificates == null || caCertificates.isEmpty()))
            throw new IllegalArgumentException("BackendTls verifies, so it needs a CA bundle");
        if (!verify && (caBundle != null || caCertificates != null))
            throw new IllegalArgumentException("BackendTls without verification holds no CA bundle");
    }

    public static BackendTls verified(String serverName, ObjectRef caBundle, String caCertificates) {
        return new BackendTls(serverName, Objects.requireNonNull(caBundle, "caBundle"), caCertificates, true);
    }

    public static BackendTls unverified(String serverName) {
        return new BackendTls(serverName, null, null, false);
    }

    @Override
    public String toString() {
        return "BackendTls[" + serverName + (verify ? " verified by " + caBundle : " unverified") + "]";
    }
}
