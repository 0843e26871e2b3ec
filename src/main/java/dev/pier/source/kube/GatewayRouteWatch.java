package dev.pier.source.kube;

import dev.pier.api.GatewayRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * How the GatewayRoute informer reaches the CRD: as generic resources, which is what status writes
 * patch; {@link SnapshotAssembly} converts them to {@link GatewayRoute} for translation.
 */
final class GatewayRouteWatch {
    static final String KIND = GatewayRoute.KIND;
    static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup(GatewayRoute.GROUP).withVersion(GatewayRoute.VERSION).withKind(GatewayRoute.KIND)
            .withPlural(GatewayRoute.PLURAL).withNamespaced(true).build();

    private GatewayRouteWatch() {
    }

    /**
     * Whether the cluster serves the GatewayRoute CRD. Without it the informer would never sync,
     * so Pier then serves Ingresses only (installing the CRD later needs a restart).
     */
    static boolean served(KubernetesClient client) {
        return client.supports(GatewayRoute.API_VERSION, KIND);
    }
}
