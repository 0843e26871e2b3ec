package dev.pier.translate;

import dev.pier.api.GatewayRoute;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.List;

/**
 * An immutable set of the Kubernetes objects translation reads, as file mode parses them or the
 * cluster informers cache them. The lists are copied; the objects must not be mutated afterwards.
 * Namespaces are read only for their phase: the objects of a terminating namespace lose conflicts.
 * ConfigMaps are read only for the CA bundles ({@code ca.crt}) that routes name to check TLS backends.
 */
public record ResourceSnapshot(List<IngressClass> ingressClasses, List<Ingress> ingresses, List<Service> services,
                               List<EndpointSlice> endpointSlices, List<Secret> secrets,
                               List<GatewayRoute> gatewayRoutes, List<Namespace> namespaces, List<ConfigMap> configMaps) {
    public ResourceSnapshot {
        ingressClasses = List.copyOf(ingressClasses);
        ingresses = List.copyOf(ingresses);
        services = List.copyOf(services);
        endpointSlices = List.copyOf(endpointSlices);
        secrets = List.copyOf(secrets);
        gatewayRoutes = List.copyOf(gatewayRoutes);
        namespaces = List.copyOf(namespaces);
        configMaps = List.copyOf(configMaps);
    }

    public static final ResourceSnapshot EMPTY = new ResourceSnapshot(List.of(), List.of(), List.of(), List.of(), List.of(),
            List.of(), List.of(), List.of());
}
