package dev.pier.model;

import java.util.Objects;

/**
 * How Pier speaks to a backend Service port: read from the port's {@code appProtocol}, with the TLS
 * settings the route names. Absent, {@code http} and {@code kubernetes.io/ws} are HTTP/1.1;
 * {@code kubernetes.io/h2c} is HTTP/2 in cleartext (prior knowledge, what gRPC backends speak);
 * {@code https} and {@code kubernetes.io/wss} are HTTP/1.1 over TLS.
 */
public sealed interface BackendProtocol {
    BackendProtocol HTTP1 = new Http1();
    BackendProtocol H2C = new H2c();
    BackendProtocol UNAVAILABLE = new Unavailable();

    /** HTTP/1.1 in cleartext: what a port without {@code appProtocol} gets. */
    record Http1() implements BackendProtocol {}

    /** HTTP/2 in cleartext with prior knowledge ({@code kubernetes.io/h2c}). */
    record H2c() implements BackendProtocol {}

    /** HTTP/1.1 over TLS ({@code https}, {@code kubernetes.io/wss}), verified as {@code tls} says. */
    record Https(BackendTls tls) implements BackendProtocol {
        public Https {
            Objects.requireNonNull(tls, "tls");
        }
    }

    /**
     * Translation could not settle how to speak to the port (an unknown {@code appProtocol}, TLS
     * without a usable CA bundle; a problem on the route says which): its share of requests gets 503,
     * never a guess such as cleartext or an unverified connection.
     */
    record Unavailable() implements BackendProtocol {}
}
