package dev.pier.source.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The GatewayRoute informer, kept apart because the typed class {@code dev.pier.api.GatewayRoute}
 * is written in another room. It watches the objects as generic resources; status writes need
 * nothing more.
 *
 * <p>WIRING HOOK: once {@code dev.pier.api.GatewayRoute} is merged and {@code ResourceSnapshot}
 * has a GatewayRoute list, take GROUP/VERSION/PLURAL from that class and convert the cached
 * objects with {@code Serialization.unmarshal(Serialization.asJson(g), GatewayRoute.class)} (or
 * switch to a typed informer) where {@link KubeSource} builds the snapshot (marked there).
 */
final class GatewayRouteWatch {
    static final String GROUP = "pier.dev";
    static final String VERSION = "v1alpha1";
    static final String KIND = "GatewayRoute";
    static final String PLURAL = "gatewayroutes";
    static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup(GROUP).withVersion(VERSION).withKind(KIND).withPlural(PLURAL).withNamespaced(true).build();

    private GatewayRouteWatch() {
    }

    /**
     * Whether the cluster serves the GatewayRoute CRD. Without it the informer would never sync,
     * so Pier then serves Ingresses only (installing the CRD later needs a restart).
     */
    static boolean served(KubernetesClient client) {
        return client.supports(GROUP + "/" + VERSION, KIND);
    }
}
