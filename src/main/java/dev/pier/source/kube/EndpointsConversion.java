package dev.pier.source.kube;

import dev.pier.translate.ServiceEndpoints;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns core/v1 Endpoints into EndpointSlices in memory, for clusters that serve no
 * discovery.k8s.io/v1, so translation reads one kind. One slice per subset; not-ready
 * addresses become endpoints with ready=false.
 */
final class EndpointsConversion {
    private EndpointsConversion() {
    }

    static List<EndpointSlice> toSlices(Endpoints endpoints) {
        List<EndpointSlice> slices = new ArrayList<>();
        List<EndpointSubset> subsets = endpoints.getSubsets() == null ? List.of() : endpoints.getSubsets();
        String name = endpoints.getMetadata().getName();
        for (int i = 0; i < subsets.size(); i++) {
            EndpointSubset subset = subsets.get(i);
            Map<String, String> labels = new HashMap<>();
            labels.put(ServiceEndpoints.SERVICE_NAME_LABEL, name);
            Map<String, String> annotations = endpoints.getMetadata().getAnnotations() == null
                    ? Map.of() : endpoints.getMetadata().getAnnotations();
            EndpointSliceBuilder b = new EndpointSliceBuilder()
                    .withMetadata(new ObjectMetaBuilder()
                            .withNamespace(endpoints.getMetadata().getNamespace())
                            .withName(name + "-" + i)
                            .withResourceVersion(endpoints.getMetadata().getResourceVersion())
                            .withLabels(labels)
                            .withAnnotations(annotations)
                            .build())
                    .withAddressType(addressType(subset));
            if (subset.getPorts() != null) {
                for (var p : subset.getPorts()) {
                    b.addToPorts(new EndpointPortBuilder().withName(p.getName()).withPort(p.getPort())
                            .withProtocol(p.getProtocol()).build());
                }
            }
            add(b, subset.getAddresses(), true);
            add(b, subset.getNotReadyAddresses(), false);
            slices.add(b.build());
        }
        return slices;
    }

    private static void add(EndpointSliceBuilder b, List<EndpointAddress> addresses, boolean ready) {
        if (addresses == null) return;
        for (EndpointAddress a : addresses) {
            b.addToEndpoints(new EndpointBuilder().withAddresses(a.getIp())
                    .withNewConditions().withReady(ready).withServing(ready).withTerminating(false).endConditions()
                    .build());
        }
    }

    private static String addressType(EndpointSubset subset) {
        List<EndpointAddress> all = new ArrayList<>();
        if (subset.getAddresses() != null) all.addAll(subset.getAddresses());
        if (subset.getNotReadyAddresses() != null) all.addAll(subset.getNotReadyAddresses());
        return all.stream().anyMatch(a -> a.getIp() != null && a.getIp().contains(":")) ? "IPv6" : "IPv4";
    }
}
