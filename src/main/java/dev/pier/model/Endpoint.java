package dev.pier.model;

/**
 * An address that serves one {@link ServiceKey}: an IP (or a DNS name for ExternalName Services)
 * and the target port. {@code weight} is 1 unless the EndpointSlice says otherwise
 * (annotation {@code pier.dev/weight}); only the weighted balancer reads it.
 */
public record Endpoint(String host, int port, int weight) {
    public Endpoint {
        if (weight < 0) throw new IllegalArgumentException("weight < 0");
    }

    public static Endpoint of(String host, int port) {
        return new Endpoint(host, port, 1);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
