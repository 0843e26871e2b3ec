package dev.pier.translate;

import dev.pier.model.RoutingTable;
import java.util.List;
import java.util.Map;

/** The pure function from Kubernetes objects to a routing table and statuses: no I/O, no clock. */
public final class Translator {
    private Translator() {
    }

    public static TranslationResult translate(ResourceSnapshot snapshot, TranslateOptions options) {
        // TODO(translate): Ingress rules, classes, precedence, endpoints
        return new TranslationResult(RoutingTable.EMPTY, Map.of(), List.of());
    }
}
