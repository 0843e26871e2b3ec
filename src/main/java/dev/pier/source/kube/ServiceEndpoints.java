package dev.pier.source.kube;

import dev.pier.model.Endpoint;
import dev.pier.model.ServiceKey;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * TEMPORARY private copy of {@code dev.pier.translate.Endpoints.forService}, which the translation
 * room is writing with this exact signature; replace the calls with that class once merged, so
 * one place maps EndpointSlices to endpoints.
 */
final class ServiceEndpoints {
    static final String WEIGHT_ANNOTATION = "pier.dev/weight";

    private ServiceEndpoints() {
    }

    /**
     * The endpoints of each port of {@code service}: ready ones, or serving-and-terminating ones
     * when none is ready. {@code slices} may hold slices of other Services; they are ignored.
     */
    static Map<ServiceKey, List<Endpoint>> forService(Service service, Collection<EndpointSlice> slices,
                                                      boolean allowExternalName) {
        String ns = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        List<ServicePort> ports = service.getSpec() == null || service.getSpec().getPorts() == null
                ? List.of() : service.getSpec().getPorts();
        Map<ServiceKey, List<Endpoint>> out = new LinkedHashMap<>();
        if ("ExternalName".equals(service.getSpec() == null ? null : service.getSpec().getType())) {
            for (ServicePort port : ports) {
                String host = service.getSpec().getExternalName();
                out.put(new ServiceKey(ns, name, port.getPort()),
                        allowExternalName && host != null ? List.of(Endpoint.of(host, port.getPort())) : List.of());
            }
            return out;
        }
        List<EndpointSlice> own = slices.stream()
                .filter(s -> ns.equals(s.getMetadata().getNamespace())
                        && name.equals(labels(s).get("kubernetes.io/service-name")))
                .toList();
        for (ServicePort port : ports) {
            if (port.getProtocol() != null && !"TCP".equals(port.getProtocol())) continue;
            Set<Endpoint> ready = new LinkedHashSet<>();
            Set<Endpoint> terminating = new LinkedHashSet<>();
            for (EndpointSlice slice : own) {
                Integer target = matchingPort(slice, port);
                if (target == null || slice.getEndpoints() == null) continue;
                int weight = weight(slice);
                for (var ep : slice.getEndpoints()) {
                    EndpointConditions c = ep.getConditions();
                    boolean isReady = c == null || c.getReady() == null || c.getReady();
                    boolean serving = c != null && Boolean.TRUE.equals(c.getServing());
                    boolean isTerminating = c != null && Boolean.TRUE.equals(c.getTerminating());
                    if (ep.getAddresses() == null) continue;
                    for (String address : ep.getAddresses()) {
                        Endpoint e = new Endpoint(address, target, weight);
                        if (isReady) ready.add(e);
                        else if (serving && isTerminating) terminating.add(e);
                    }
                }
            }
            List<Endpoint> chosen = new ArrayList<>(ready.isEmpty() ? terminating : ready);
            chosen.sort(Comparator.comparing(Endpoint::host).thenComparingInt(Endpoint::port));
            out.put(new ServiceKey(ns, name, port.getPort()), List.copyOf(chosen));
        }
        return out;
    }

    private static Integer matchingPort(EndpointSlice slice, ServicePort port) {
        if (slice.getPorts() == null) return null;
        String want = port.getName() == null ? "" : port.getName();
        for (EndpointPort p : slice.getPorts()) {
            String have = p.getName() == null ? "" : p.getName();
            if (want.equals(have) && p.getPort() != null) return p.getPort();
        }
        return null;
    }

    private static int weight(EndpointSlice slice) {
        String w = slice.getMetadata().getAnnotations() == null ? null : slice.getMetadata().getAnnotations().get(WEIGHT_ANNOTATION);
        if (w == null) return 1;
        try {
            return Math.max(0, Integer.parseInt(w.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static Map<String, String> labels(EndpointSlice s) {
        return Objects.requireNonNullElse(s.getMetadata().getLabels(), Map.of());
    }
}
