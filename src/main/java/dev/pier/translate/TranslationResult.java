package dev.pier.translate;

import dev.pier.model.AcmeCertificate;
import dev.pier.model.Endpoint;
import dev.pier.model.ObjectStatus;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import java.util.List;
import java.util.Map;

/**
 * The output of one translation: the routing table, the endpoints of every Service port the
 * snapshot knows (ready ones; serving-but-terminating ones only when none is ready), what
 * was concluded about each object, and the certificates Pier is to order over ACME (the leader's
 * {@code dev.pier.acme} does that I/O).
 */
public record TranslationResult(RoutingTable table, Map<ServiceKey, List<Endpoint>> endpoints,
                                List<ObjectStatus> statuses, List<AcmeCertificate> acmeCertificates) {
    public TranslationResult {
        endpoints = Map.copyOf(endpoints);
        statuses = List.copyOf(statuses);
        acmeCertificates = List.copyOf(acmeCertificates);
    }

    /** No ACME certificates. */
    public TranslationResult(RoutingTable table, Map<ServiceKey, List<Endpoint>> endpoints, List<ObjectStatus> statuses) {
        this(table, endpoints, statuses, List.of());
    }
}
