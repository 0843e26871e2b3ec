package dev.pier.translate;

import dev.pier.api.GatewayRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides which Ingresses and GatewayRoutes are Pier's (a GatewayRoute by {@code spec.ingressClassName}
 * alone, by the same rules). An Ingress names its class in {@code spec.ingressClassName}
 * (or, the legacy way, in the annotation {@value #LEGACY_ANNOTATION}); it is Pier's when that name
 * is {@link TranslateOptions#ingressClass()} and the IngressClass of that name is Pier's
 * ({@code spec.controller} is {@link TranslateOptions#controllerName()}) or does not exist at all
 * (convenient in file mode, where nobody writes IngressClass objects). An Ingress naming no class
 * is Pier's when Pier's IngressClass carries {@value #DEFAULT_CLASS_ANNOTATION}{@code : "true"}.
 */
public final class IngressClassSelector {
    public static final String LEGACY_ANNOTATION = "kubernetes.io/ingress.class";
    public static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

    private final TranslateOptions options;
    private final Map<String, IngressClass> byName = new HashMap<>();

    public IngressClassSelector(Collection<IngressClass> classes, TranslateOptions options) {
        this.options = options;
        for (IngressClass c : classes) byName.put(c.getMetadata().getName(), c);
    }

    public boolean isPiers(Ingress ingress) {
        return isPiersClass(className(ingress));
    }

    /** A GatewayRoute names its class in {@code spec.ingressClassName} only (it has no legacy annotation). */
    public boolean isPiers(GatewayRoute route) {
        String className = route.getSpec() == null ? null : route.getSpec().getIngressClassName();
        return isPiersClass(notEmpty(className) ? className : null);
    }

    /** @param className the class an object names, null for none */
    private boolean isPiersClass(String className) {
        if (className == null) {
            IngressClass ours = byName.get(options.ingressClass());
            return ours != null && isOurController(ours) && isDefault(ours);
        }
        if (!className.equals(options.ingressClass())) return false;
        IngressClass named = byName.get(className);
        return named == null || isOurController(named);
    }

    /** {@code spec.ingressClassName}, else the legacy annotation, else null. */
    static String className(Ingress ingress) {
        if (ingress.getSpec() != null && notEmpty(ingress.getSpec().getIngressClassName())) {
            return ingress.getSpec().getIngressClassName();
        }
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        String legacy = annotations == null ? null : annotations.get(LEGACY_ANNOTATION);
        return notEmpty(legacy) ? legacy : null;
    }

    private boolean isOurController(IngressClass c) {
        return c.getSpec() != null && options.controllerName().equals(c.getSpec().getController());
    }

    private static boolean isDefault(IngressClass c) {
        Map<String, String> annotations = c.getMetadata().getAnnotations();
        return annotations != null && "true".equals(annotations.get(DEFAULT_CLASS_ANNOTATION));
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
