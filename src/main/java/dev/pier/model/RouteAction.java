package dev.pier.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What a matched route does after its filters' request sides ran. */
public sealed interface RouteAction {

    /** Forward to one of the backends, split by weight (smooth weighted round-robin). */
    record Forward(List<WeightedBackend> backends) implements RouteAction {
        public Forward {
            backends = List.copyOf(backends);
        }
    }

    /**
     * The namespace resolver: the first path segments (after {@code mount}) name the Service,
     * looked up in {@code services}, keyed by full Service name ({@code servicePrefix} + the name
     * the path yields) and prepared at translation with only the Services the resolver may reach.
     * A name missing from the map is a 404. {@code mount} is a normalised prefix
     * ({@link PathMatch#prefix(String)}). {@code healthCheck} (null: none) applies to every resolved Service.
     */
    record Resolve(String namespace, String mount, String servicePrefix, boolean versioned,
                   Map<String, ServiceKey> services, BalancerPolicy balancer, HealthCheck healthCheck) implements RouteAction {
        public Resolve {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(servicePrefix, "servicePrefix");
            Objects.requireNonNull(balancer, "balancer");
            if (!PathMatch.prefix(mount).value().equals(mount))
                throw new IllegalArgumentException("resolver mount \"" + mount + "\" is not a normalised prefix");
            services = Map.copyOf(services);
        }

        /** Without active health checks. */
        public Resolve(String namespace, String mount, String servicePrefix, boolean versioned,
                       Map<String, ServiceKey> services, BalancerPolicy balancer) {
            this(namespace, mount, servicePrefix, versioned, services, balancer, null);
        }
    }

    /** No backend: one of the route's filters (redirect, direct response) answers. */
    record NoBackend() implements RouteAction {}
}
