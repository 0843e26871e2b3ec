package dev.pier.source.kube;

import dev.pier.api.GatewayRoute;
import dev.pier.model.Endpoint;
import dev.pier.model.ServiceKey;
import dev.pier.source.kube.Informers.Kind;
import dev.pier.translate.ResourceSnapshot;
import dev.pier.translate.ServiceEndpoints;
import dev.pier.translate.TranslationResult;
import dev.pier.api.BackendTLS;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles what the rebuild thread hands the sink from the informers' caches: a full
 * {@link ResourceSnapshot} when something that shapes routes changed, or the changed endpoint lists of some Services. Only the rebuild thread uses it.
 */
final class SnapshotAssembly {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotAssembly.class);

    private final Informers informers;
    private final KubernetesClient client;
    private final boolean allowExternalName;
    /**
     * By "namespace/name": each Service's ports' endpoints as last delivered; immutable maps, as small as one port's
     * (a HashMap per Service cost ~160 B at thousands of Services).
     */
    private final Map<String, Map<ServiceKey, List<Endpoint>>> lastEndpoints = new HashMap<>();

    SnapshotAssembly(Informers informers, KubernetesClient client, boolean allowExternalName) {
        this.informers = informers;
        this.client = client;
        this.allowExternalName = allowExternalName;
    }

    /**
     * A snapshot of every cached object, to translate. There is no check here for "nothing changed":
     * the informers drop updates that shape no route before they mark a change (see {@link #version}),
     * and the pipeline swaps no table equal to the live one.
     */
    ResourceSnapshot snapshot() {
        return new ResourceSnapshot(informers.list(Kind.INGRESS_CLASS, IngressClass.class),
                informers.list(Kind.INGRESS, Ingress.class), informers.list(Kind.SERVICE, Service.class),
                informers.allSlices(), informers.list(Kind.SECRET, Secret.class), gatewayRoutes(),
                informers.list(Kind.NAMESPACE, Namespace.class), informers.list(Kind.CONFIG_MAP, ConfigMap.class));
    }

    /** A snapshot went live: later endpoint changes are diffed against what its translation resolved. */
    void live(TranslationResult result) {
        lastEndpoints.clear();
        // Translation resolved every Service's endpoints already: group them, don't resolve again.
        result.endpoints().forEach((k, v) ->
                lastEndpoints.computeIfAbsent(k.namespace() + "/" + k.name(), s -> new HashMap<>()).put(k, v));
        lastEndpoints.replaceAll((service, ports) -> Map.copyOf(ports));
    }

    /** The endpoint lists of these Services' ports that differ from the last ones delivered (an empty list: none left). */
    Map<ServiceKey, List<Endpoint>> changedEndpoints(Set<String> services) {
        Map<ServiceKey, List<Endpoint>> changed = new LinkedHashMap<>();
        for (String service : services) {
            Map<ServiceKey, List<Endpoint>> now = informers.get(Kind.SERVICE, service)
                    .map(s -> endpointsOf((Service) s)).orElse(Map.of());
            Map<ServiceKey, List<Endpoint>> before = lastEndpoints.getOrDefault(service, Map.of());
            before.keySet().stream().filter(k -> !now.containsKey(k)).forEach(k -> changed.put(k, List.of()));
            now.forEach((k, v) -> {
                if (!v.equals(before.get(k))) changed.put(k, v);
            });
            if (now.isEmpty()) lastEndpoints.remove(service);
            else lastEndpoints.put(service, Map.copyOf(now));
        }
        return changed;
    }

    private Map<ServiceKey, List<Endpoint>> endpointsOf(Service svc) {
        return ServiceEndpoints.forService(svc, informers.slicesOf(svc.getMetadata().getNamespace(), svc.getMetadata().getName()),
                allowExternalName);
    }

    /**
     * What identifies an object's content for translation: an update that leaves it equal shapes no
     * route and wakes no rebuild ({@link Informers}). For kinds whose status Pier itself
     * writes, the spec generation plus labels, annotations and deletion: otherwise every status
     * write would come back as a change and cause one more full rebuild. For a ConfigMap, only its
     * CA bundle: ConfigMaps change often for reasons of their own (some applications' leader
     * election writes one every few seconds) and must not rebuild the table each time.
     */
    static String version(Kind kind, HasMetadata o) {
        var m = o.getMetadata();
        if (kind == Kind.CONFIG_MAP) {
            var data = ((ConfigMap) o).getData();
            String ca = data == null ? null : data.get(BackendTLS.CA_KEY);
            return ca == null ? "-" : sha256(ca);
        }
        if ((kind == Kind.INGRESS || kind == Kind.GATEWAY_ROUTE) && m.getGeneration() != null) {
            return "g" + m.getGeneration() + "/" + sortedText(m.getLabels()) + "/" + sortedText(m.getAnnotations())
                    + "/" + m.getDeletionTimestamp();
        }
        return String.valueOf(m.getResourceVersion());
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String sortedText(Map<String, String> map) {
        return map == null ? "{}" : new TreeMap<>(map).toString();
    }

    /**
     * GatewayRoutes are watched as generic resources (status writes patch them as such) and
     * converted to the typed class for translation. The CRD schema makes a failing conversion
     * unlikely; one that fails is left out and logged, the others translate.
     */
    private List<GatewayRoute> gatewayRoutes() {
        List<GatewayRoute> routes = new ArrayList<>();
        for (GenericKubernetesResource generic : informers.list(Kind.GATEWAY_ROUTE, GenericKubernetesResource.class)) {
            try {
                routes.add(client.getKubernetesSerialization().convertValue(generic, GatewayRoute.class));
            } catch (RuntimeException e) {
                LOG.warn("GatewayRoute {}/{} cannot be read, left out: {}", generic.getMetadata().getNamespace(),
                        generic.getMetadata().getName(), e.getMessage());
            }
        }
        return routes;
    }
}
