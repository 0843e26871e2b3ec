package dev.pier.translate;

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
 * The endpoints of a Service's ports, from its EndpointSlices. Pure: the cluster source calls it
 * on EndpointSlice events, translation calls it for every Service of a snapshot.
 */
public final class ServiceEndpoints {
    /** The label an EndpointSlice names its Service by; the one definition in Pier. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String WEIGHT_ANNOTATION = "pier.dev/weight";

    private static final Comparator<Endpoint> ORDER = Comparator.comparing(Endpoint::host)
            .thenComparingInt(Endpoint::port).thenComparingInt(Endpoint::weight);

    private ServiceEndpoints() {
    }

    /**
     * One entry for every TCP port of {@code service} (an empty list when nothing serves it).
     * Slice ports are matched to Service ports by name ("" and null are the same name); slices are
     * those of the Service's namespace labelled {@value #SERVICE_NAME_LABEL}; others are ignored.
     * Ready endpoints (condition ready true or unset) are used; serving-but-terminating ones only
     * when none is ready. An ExternalName Service gets one endpoint (externalName, port) per port
     * when {@code allowExternalName}, else none.
     */
    public static Map<ServiceKey, List<Endpoint>> forService(Service service, Collection<EndpointSlice> slices,
                                                             boolean allowExternalName) {
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        List<ServicePort> ports = BackendRefs.ports(service);
        boolean externalName = BackendRefs.isExternalName(service);
        List<EndpointSlice> own = slices.stream()
                .filter(s -> s.getMetadata() != null && Objects.equals(namespace, s.getMetadata().getNamespace())
                        && s.getMetadata().getLabels() != null
                        && name.equals(s.getMetadata().getLabels().get(SERVICE_NAME_LABEL)))
                .toList();
        Map<ServiceKey, List<Endpoint>> out = new LinkedHashMap<>();
        for (ServicePort port : ports) {
            if (port.getPort() == null || !BackendRefs.isTcp(port)) continue; // HTTP is never sent to a UDP or SCTP port
            ServiceKey key = new ServiceKey(namespace, name, port.getPort());
            if (externalName) {
                String host = service.getSpec().getExternalName();
                out.put(key, allowExternalName && host != null && !host.isEmpty()
                        ? List.of(Endpoint.of(host, port.getPort())) : List.of());
            } else {
                out.put(key, fromSlices(nz(port.getName()), own));
            }
        }
        return out;
    }

    private static List<Endpoint> fromSlices(String portName, List<EndpointSlice> slices) {
        Set<Endpoint> ready = new LinkedHashSet<>();
        Set<Endpoint> terminating = new LinkedHashSet<>();
        for (EndpointSlice slice : slices) {
            Integer number = null;
            for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
                if (portName.equals(nz(p.getName())) && p.getPort() != null) {
                    number = p.getPort();
                    break;
                }
            }
            if (number == null || slice.getEndpoints() == null) continue;
            int weight = weight(slice);
            for (var e : slice.getEndpoints()) {
                if (e.getAddresses() == null || e.getAddresses().isEmpty()) continue;
                // Addresses of one endpoint are fungible; Kubernetes lets consumers use the first only.
                Endpoint endpoint = new Endpoint(e.getAddresses().get(0), number, weight);
                EndpointConditions c = e.getConditions();
                if (c == null || c.getReady() == null || c.getReady()) {
                    ready.add(endpoint);
                } else if (Boolean.TRUE.equals(c.getServing()) && Boolean.TRUE.equals(c.getTerminating())) {
                    terminating.add(endpoint);
                }
            }
        }
        List<Endpoint> chosen = new ArrayList<>(ready.isEmpty() ? terminating : ready);
        chosen.sort(ORDER);
        // The same address may sit in two slices while they are being rebalanced: keep it once.
        List<Endpoint> unique = new ArrayList<>();
        for (Endpoint e : chosen) {
            if (unique.isEmpty() || !sameAddress(unique.get(unique.size() - 1), e)) unique.add(e);
        }
        return List.copyOf(unique);
    }

    private static boolean sameAddress(Endpoint a, Endpoint b) {
        return a.host().equals(b.host()) && a.port() == b.port();
    }

    /** {@value #WEIGHT_ANNOTATION} on the slice: a positive integer; anything else counts as 1. */
    private static int weight(EndpointSlice slice) {
        Map<String, String> annotations = slice.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(WEIGHT_ANNOTATION);
        if (value == null || !value.matches("[0-9]{1,9}")) return 1;
        int weight = Integer.parseInt(value);
        return weight > 0 ? weight : 1;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
