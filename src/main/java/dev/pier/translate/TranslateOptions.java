package dev.pier.translate;

import java.util.Set;

/**
 * Settings translation needs from the command line.
 *
 * @param ingressClass        the IngressClass name Pier serves ({@code --ingress-class}, default {@code pier})
 * @param controllerName      the {@code spec.controller} an IngressClass must name to be Pier's
 * @param allowExternalName   whether ExternalName Services may be backends ({@code --allow-external-name})
 * @param resolverNamespaces  namespaces any GatewayRoute's resolver may serve besides the route's own; a
 *                            resolver exposes every selected Service of its namespace, so crossing into
 *                            another namespace needs the operator's consent (default: none)
 */
public record TranslateOptions(String ingressClass, String controllerName, boolean allowExternalName,
                               Set<String> resolverNamespaces) {
    public static final String CONTROLLER_NAME = "pier.dev/ingress-controller";
    public static final TranslateOptions DEFAULTS = new TranslateOptions("pier", CONTROLLER_NAME, false);

    public TranslateOptions {
        resolverNamespaces = Set.copyOf(resolverNamespaces);
    }

    /** No resolver may cross namespaces. */
    public TranslateOptions(String ingressClass, String controllerName, boolean allowExternalName) {
        this(ingressClass, controllerName, allowExternalName, Set.of());
    }

    public TranslateOptions withResolverNamespaces(Set<String> namespaces) {
        return new TranslateOptions(ingressClass, controllerName, allowExternalName, namespaces);
    }
}
