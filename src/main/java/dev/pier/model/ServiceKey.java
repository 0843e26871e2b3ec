package dev.pier.model;

/**
 * One port of one Service: the unit that endpoints and balancers are kept for.
 * {@code port} is the Service port number (not the target port).
 */
public record ServiceKey(String namespace, String name, int port) {
    @Override
    public String toString() {
        return namespace + "/" + name + ":" + port;
    }
}
