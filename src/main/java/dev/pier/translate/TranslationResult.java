package dev.pier.translate;

import dev.pier.model.Endpoint;
import dev.pier.model.ObjectStatus;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import java.util.List;
import java.util.Map;

/**
 * The output of one translation: the routing table, the endpoints of every Service port the
 * snapshot knows (ready ones; serving-but-terminating ones only when none is ready), and what
 * was concluded about each object.
 */
public record TranslationResult(RoutingTable table, Map<ServiceKey, List<Endpoint>> endpoints,
                                List<ObjectStatus> statuses) {
    public TranslationResult {
        endpoints = Map.copyOf(endpoints);
        statuses = List.copyOf(statuses);
    }
}
