package dev.pier.model;

/** Names a Kubernetes object that a route or a status came from, e.g. {@code Ingress web/shop}. */
public record ObjectRef(String kind, String namespace, String name) {
    @Override
    public String toString() {
        return kind + " " + namespace + "/" + name;
    }
}
