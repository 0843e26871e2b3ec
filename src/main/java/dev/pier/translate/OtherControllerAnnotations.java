package dev.pier.translate;

import dev.pier.model.Problem;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Annotations that configure other ingress controllers. An Ingress moved to Pier often still
 * carries them, and they change nothing here (Pier reads no annotations to shape routes), so an
 * author who expects a rewrite or an auth check from one is told, once per object, that it has no
 * effect.
 */
final class OtherControllerAnnotations {
    /** Key prefixes (up to and including the "/") of ingress-nginx, NGINX, HAProxy, Contour, Kong and AWS. */
    static final List<String> PREFIXES = List.of("nginx.ingress.kubernetes.io/", "nginx.org/", "haproxy.org/",
            "projectcontour.io/", "konghq.com/", "alb.ingress.kubernetes.io/");

    private OtherControllerAnnotations() {
    }

    static void check(Ingress ingress, ObjectProblems problems) {
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        if (annotations == null) return;
        TreeSet<String> ignored = new TreeSet<>();
        for (String key : annotations.keySet()) {
            if (isOtherControllers(key)) ignored.add(key);
        }
        if (ignored.isEmpty()) return;
        problems.warning("metadata.annotations", Problem.IGNORED_ANNOTATION, String.join(", ", ignored)
                + (ignored.size() == 1 ? " is an annotation of another ingress controller; Pier ignores it, so it has no effect"
                : " are annotations of other ingress controllers; Pier ignores them, so they have no effect"));
    }

    /** Traefik's keys start {@code traefik.} (v1: {@code traefik.frontend.rule}; v2: {@code traefik.ingress.kubernetes.io/}). */
    static boolean isOtherControllers(String key) {
        if (key.startsWith("traefik.")) return true;
        for (String prefix : PREFIXES) {
            if (key.startsWith(prefix)) return true;
        }
        return false;
    }
}
