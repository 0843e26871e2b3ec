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
     * ({@link PathMatch#prefix(String)}). {@code healthCheck} (null: none) applies to every resolved
     * Service. {@code protocols} holds, by the same full name, the Services not spoken to in
     * HTTP/1.1 (their port's {@code appProtocol}). {@code handler} says what happens to a request
     * once the path named a Service (forwarded, called as gRPC, published as an event; see
     * {@link ResolverHandler}); {@code rpcEndpoint} serves {@code POST <mount>/rpc}, a JSON call of
     * any resolved Service's gRPC method. An event handler names no Service, so it resolves none.
     */
    record Resolve(String namespace, String mount, String servicePrefix, boolean versioned,
                   Map<String, ServiceKey> services, BalancerPolicy balancer, HealthCheck healthCheck,
                   Map<String, BackendProtocol> protocols, ResolverHandler handler, boolean rpcEndpoint)
            implements RouteAction {
        public Resolve {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(servicePrefix, "servicePrefix");
            Objects.requireNonNull(balancer, "balancer");
            Objects.requireNonNull(handler, "handler");
            if (handler instanceof ResolverHandler.Event && (!services.isEmpty() || rpcEndpoint))
                throw new IllegalArgumentException("an event resolver names no Service: no services, no /rpc endpoint");
            if (!PathMatch.prefix(mount).value().equals(mount))
                throw new IllegalArgumentException("resolver mount \"" + mount + "\" is not a normalised prefix");
            services = Map.copyOf(services);
            protocols = Map.copyOf(protocols);
            for (var e : protocols.entrySet()) {
                if (!services.containsKey(e.getKey()))
                    throw new IllegalArgumentException("resolver protocol for \"" + e.getKey() + "\", which it does not resolve");
                if (e.getValue() instanceof BackendProtocol.Http1)
                    throw new IllegalArgumentException("resolver protocol for \"" + e.getKey() + "\" is HTTP/1.1, the default");
            }
        }

        /** Forwarding (the {@code http} handler), without the {@code /rpc} endpoint. */
        public Resolve(String namespace, String mount, String servicePrefix, boolean versioned,
                       Map<String, ServiceKey> services, BalancerPolicy balancer, HealthCheck healthCheck,
                       Map<String, BackendProtocol> protocols) {
            this(namespace, mount, servicePrefix, versioned, services, balancer, healthCheck, protocols,
                    ResolverHandler.FORWARD, false);
        }

        /** Without active health checks, every resolved Service spoken to in HTTP/1.1. */
        public Resolve(String namespace, String mount, String servicePrefix, boolean versioned,
                       Map<String, ServiceKey> services, BalancerPolicy balancer) {
            this(namespace, mount, servicePrefix, versioned, services, balancer, null, Map.of());
        }

        /** Every resolved Service spoken to in HTTP/1.1. */
        public Resolve(String namespace, String mount, String servicePrefix, boolean versioned,
                       Map<String, ServiceKey> services, BalancerPolicy balancer, HealthCheck healthCheck) {
            this(namespace, mount, servicePrefix, versioned, services, balancer, healthCheck, Map.of());
        }

        /** Without active health checks. */
        public Resolve(String namespace, String mount, String servicePrefix, boolean versioned,
                       Map<String, ServiceKey> services, BalancerPolicy balancer, Map<String, BackendProtocol> protocols) {
            this(namespace, mount, servicePrefix, versioned, services, balancer, null, protocols);
        }

        /** How Pier speaks to the Service of this full name. */
        public BackendProtocol protocol(String serviceName) {
            return protocols.getOrDefault(serviceName, BackendProtocol.HTTP1);
        }
    }

    /** No backend: one of the route's filters (redirect, direct response) answers. */
    record NoBackend() implements RouteAction {}
}
