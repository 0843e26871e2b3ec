package dev.pier.translate;

import dev.pier.api.PathPolicy;
import dev.pier.model.Problem;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.Map;

/**
 * The Ingress annotations Pier reads, each parsed into a typed value by an exact grammar (never
 * pasted into configuration). There is one: {@value #PATH_POLICY}, because an Ingress has no field
 * to say that its backends need the raw path, and the GatewayRoute field {@code pathPolicy} is not
 * open to Ingress users. A value outside the grammar is reported and ignored, which keeps the safe
 * default (normalised paths).
 */
final class IngressAnnotations {
    /** {@code Normalize} (the default) or {@code ForwardRaw}, as the GatewayRoute field {@code pathPolicy}. */
    static final String PATH_POLICY = "pier.dev/path-policy";

    private IngressAnnotations() {
    }

    /** Whether the Ingress's routes forward the raw path; a value outside the grammar is reported and counts as Normalize. */
    static boolean forwardRawPath(Ingress ingress, ObjectProblems problems) {
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        if (annotations == null) return false;
        String value = annotations.get(PATH_POLICY);
        if (value == null) return false;
        for (PathPolicy p : PathPolicy.values()) {
            if (p.wireName().equals(value)) return p == PathPolicy.FORWARD_RAW;
        }
        problems.warning(field(PATH_POLICY), Problem.INVALID, "\"" + value + "\" is not Normalize or ForwardRaw; it is ignored"
                + " and paths are forwarded normalised");
        return false;
    }

    private static String field(String key) {
        return "metadata.annotations[" + key + "]";
    }
}
