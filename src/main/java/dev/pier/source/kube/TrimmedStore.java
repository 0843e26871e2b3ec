package dev.pier.source.kube;

import dev.pier.translate.AcmeSecrets;
import dev.pier.api.BackendTLS;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressRuleValue;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerStatus;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IngressStatus;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Stream;

/**
 * An informer store that keeps only what translation and status writing read: managed fields
 * and kubectl's last-applied copy (often larger than the object itself) are dropped, and of a
 * TLS Secret only {@code tls.crt}, {@code tls.key} and the ACME challenge answers Pier writes
 * ({@link AcmeSecrets}; not the key of an order in progress) are kept, of a ConfigMap only {@code ca.crt}
 * (a CA bundle). At 10,000 Ingresses this is most of the cache's memory.
 *
 * <p>It holds objects in namespace/name order (the order a snapshot lists them in), so a rebuild
 * reads them sorted instead of sorting 10,000 objects each time.
 */
final class TrimmedStore<T extends HasMetadata> implements ItemStore<T> {
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final Set<String> TLS_KEYS = Set.of("tls.crt", "tls.key");

    private static boolean translated(String key) {
        return TLS_KEYS.contains(key) || key.startsWith(AcmeSecrets.HTTP01_PREFIX) || key.startsWith(AcmeSecrets.TLSALPN01_PREFIX);
    }

    /**
     * Namespace ("" for cluster-scoped kinds), then name, to the object. The keys are the object's own namespace and
     * name strings: a {@code namespace/name} key string per object was ~56 B at 10,000 Ingresses.
     */
    private final ConcurrentSkipListMap<String, ConcurrentSkipListMap<String, T>> items = new ConcurrentSkipListMap<>();

    @Override
    public String getKey(T object) {
        return Cache.metaNamespaceKeyFunc(object);
    }

    private static String namespaceOf(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? "" : key.substring(0, slash);
    }

    private static String nameOf(String key) {
        return key.substring(key.indexOf('/') + 1);
    }

    // Writes come from the informer's one thread at a time (fabric8's cache serialises them); reads from any thread.

    @Override
    public T put(String key, T object) {
        T trimmed = trim(object);
        String namespace = namespaceOf(key);
        String name = nameOf(key);
        ObjectMeta meta = trimmed.getMetadata();
        if (meta != null && namespace.equals(meta.getNamespace())) namespace = meta.getNamespace(); // the shared copy
        ConcurrentSkipListMap<String, T> names = items.computeIfAbsent(namespace, ns -> new ConcurrentSkipListMap<>());
        String existing = names.ceilingKey(name);
        if (meta != null && name.equals(existing)) {
            meta.setName(existing); // a replaced entry keeps its key: let the object share it
            name = existing;
        } else if (meta != null && name.equals(meta.getName())) {
            name = meta.getName();
        }
        T before = names.get(name);
        if (before != null && meta != null) shareUid(before.getMetadata(), meta);
        if (before instanceof Ingress old && trimmed instanceof Ingress now) shareHosts(old, now);
        return names.put(name, trimmed);
    }

    /**
     * The translation memo holds the uid string of the object it translated; an update that shapes no route (Pier's
     * own status write) triggers no translation, so without this the cache's new copy would be a second string.
     */
    private static void shareUid(ObjectMeta before, ObjectMeta after) {
        String uid = before == null ? null : before.getUid();
        if (uid != null && uid.equals(after.getUid())) after.setUid(uid);
    }

    /**
     * The live routing table holds the host strings of the Ingress it was translated from; an update that changes
     * no rule (Pier's own status write) would otherwise keep a second copy of each in the cache.
     */
    private static void shareHosts(Ingress before, Ingress after) {
        if (before.getSpec() == null || after.getSpec() == null || before.getSpec().getRules() == null
                || after.getSpec().getRules() == null) return;
        List<IngressRule> old = before.getSpec().getRules();
        List<IngressRule> now = after.getSpec().getRules();
        for (int i = 0; i < Math.min(old.size(), now.size()); i++) {
            String host = old.get(i).getHost();
            if (host != null && host.equals(now.get(i).getHost())) now.get(i).setHost(host);
        }
    }

    @Override
    public T remove(String key) {
        String namespace = namespaceOf(key);
        ConcurrentSkipListMap<String, T> names = items.get(namespace);
        if (names == null) return null;
        T removed = names.remove(nameOf(key));
        if (names.isEmpty()) items.remove(namespace, names);
        return removed;
    }

    @Override
    public Stream<String> keySet() {
        return items.entrySet().stream().flatMap(ns -> ns.getValue().keySet().stream()
                .map(name -> ns.getKey().isEmpty() ? name : ns.getKey() + "/" + name));
    }

    @Override
    public Stream<T> values() {
        return items.values().stream().flatMap(names -> names.values().stream());
    }

    @Override
    public int size() {
        return items.values().stream().mapToInt(ConcurrentSkipListMap::size).sum();
    }

    @Override
    public T get(String key) {
        ConcurrentSkipListMap<String, T> names = items.get(namespaceOf(key));
        return names == null ? null : names.get(nameOf(key));
    }

    static <T extends HasMetadata> T trim(T object) {
        ObjectMeta meta = object.getMetadata();
        if (meta != null) {
            meta.setManagedFields(null);
            Map<String, String> annotations = meta.getAnnotations();
            if (annotations != null && annotations.containsKey(LAST_APPLIED)) annotations.remove(LAST_APPLIED);
            compact(meta);
        }
        if (object instanceof Ingress ingress) compact(ingress);
        if (object instanceof Service service) compact(service);
        if (object instanceof EndpointSlice slice) compact(slice);
        if (object instanceof Secret secret) {
            if (secret.getData() != null) secret.getData().keySet().removeIf(k -> !translated(k));
            if (secret.getStringData() != null) secret.getStringData().keySet().removeIf(k -> !translated(k));
        }
        if (object instanceof ConfigMap configMap) {
            if (configMap.getData() != null) configMap.getData().keySet().retainAll(Set.of(BackendTLS.CA_KEY));
            configMap.setBinaryData(null);
        }
        return object;
    }

    // Compaction: every fabric8 model object carries its own map for unknown fields (almost always empty), and
    // every string arrives as its own copy. At 10,000 Ingresses these were about a third of the cache; values
    // that repeat across objects (namespaces, kinds, timestamps to the second, Service names) are shared instead.
    // The cache is only read, never written into, so sharing an immutable empty map is safe.

    private static final Map<String, Object> NONE = Map.of();

    private static Map<String, Object> none(Map<String, Object> unknownFields) {
        return unknownFields == null || unknownFields.isEmpty() ? NONE : unknownFields;
    }

    /** An immutable copy (the shared empty list when empty) instead of an ArrayList with room for ten. */
    private static <E> List<E> compact(List<E> list) {
        return list == null || list.contains(null) ? list : List.copyOf(list);
    }

    /**
     * Labels as an immutable map with shared keys: a LinkedHashMap of one label is ~180 B, an immutable one 24 B, and
     * every EndpointSlice carries at least {@code kubernetes.io/service-name}. Label order means nothing to Kubernetes.
     */
    private static Map<String, String> compact(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) return labels == null ? null : Map.of();
        @SuppressWarnings("unchecked")
        Map.Entry<String, String>[] entries = new Map.Entry[labels.size()];
        int i = 0;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) return labels; // not from an API server: left as it is
            entries[i++] = Map.entry(shared(e.getKey()), e.getValue());
        }
        return Map.ofEntries(entries);
    }

    private static String shared(String s) {
        return s == null ? null : s.intern();
    }

    private static void compact(ObjectMeta meta) {
        meta.setAdditionalProperties(none(meta.getAdditionalProperties()));
        meta.setNamespace(shared(meta.getNamespace()));
        meta.setCreationTimestamp(shared(meta.getCreationTimestamp()));
        meta.setFinalizers(compact(meta.getFinalizers()));
        meta.setOwnerReferences(compact(meta.getOwnerReferences()));
        meta.setLabels(compact(meta.getLabels()));
        if (meta.getAnnotations() != null && meta.getAnnotations().isEmpty()) meta.setAnnotations(Map.of());
    }

    private static void compact(Ingress ingress) {
        ingress.setAdditionalProperties(none(ingress.getAdditionalProperties()));
        ingress.setApiVersion(shared(ingress.getApiVersion()));
        ingress.setKind(shared(ingress.getKind()));
        IngressSpec spec = ingress.getSpec();
        if (spec != null) {
            spec.setAdditionalProperties(none(spec.getAdditionalProperties()));
            spec.setIngressClassName(shared(spec.getIngressClassName()));
            spec.setDefaultBackend(compact(spec.getDefaultBackend()));
            spec.setRules(compact(spec.getRules()));
            spec.setTls(compact(spec.getTls()));
            if (spec.getRules() != null) {
                for (IngressRule rule : spec.getRules()) {
                    rule.setAdditionalProperties(none(rule.getAdditionalProperties()));
                    HTTPIngressRuleValue http = rule.getHttp();
                    if (http == null) continue;
                    http.setAdditionalProperties(none(http.getAdditionalProperties()));
                    if (http.getPaths() != null && !http.getPaths().contains(null)) {
                        List<HTTPIngressPath> paths = new ArrayList<>(http.getPaths().size());
                        for (HTTPIngressPath path : http.getPaths()) {
                            path.setAdditionalProperties(none(path.getAdditionalProperties()));
                            path.setPath(shared(path.getPath()));
                            path.setPathType(shared(path.getPathType()));
                            path.setBackend(compact(path.getBackend()));
                            paths.add(SEEN.shared(path));
                        }
                        http.setPaths(SEEN.shared(List.copyOf(paths)));
                    }
                    rule.setHttp(SEEN.shared(http));
                }
            }
            if (spec.getTls() != null) {
                for (IngressTLS tls : spec.getTls()) {
                    tls.setAdditionalProperties(none(tls.getAdditionalProperties()));
                    tls.setSecretName(shared(tls.getSecretName()));
                    tls.setHosts(compact(tls.getHosts()));
                }
            }
        }
        IngressStatus status = ingress.getStatus();
        if (status != null) {
            status.setAdditionalProperties(none(status.getAdditionalProperties()));
            IngressLoadBalancerStatus lb = status.getLoadBalancer();
            if (lb != null) {
                lb.setAdditionalProperties(none(lb.getAdditionalProperties()));
                lb.setIngress(compact(lb.getIngress()));
                if (lb.getIngress() != null) {
                    for (IngressLoadBalancerIngress address : lb.getIngress()) {
                        address.setAdditionalProperties(none(address.getAdditionalProperties()));
                        address.setIp(shared(address.getIp()));
                        address.setHostname(shared(address.getHostname()));
                        address.setPorts(compact(address.getPorts()));
                    }
                }
            }
            // Every Ingress Pier serves shows the same published addresses: one status object for all of them.
            ingress.setStatus(SEEN.shared(status));
        }
    }

    /**
     * A Service's parts: fabric8 gives every object an empty map for unknown fields and every list field an empty
     * ArrayList, ~1.5 KB per Service and EndpointSlice at 10,000 Services; equal ports and statuses are shared.
     */
    private static void compact(Service service) {
        service.setAdditionalProperties(none(service.getAdditionalProperties()));
        service.setApiVersion(shared(service.getApiVersion()));
        service.setKind(shared(service.getKind()));
        ServiceSpec spec = service.getSpec();
        if (spec != null) {
            spec.setAdditionalProperties(none(spec.getAdditionalProperties()));
            spec.setClusterIPs(compact(spec.getClusterIPs()));
            spec.setExternalIPs(compact(spec.getExternalIPs()));
            spec.setIpFamilies(compact(spec.getIpFamilies()));
            spec.setLoadBalancerSourceRanges(compact(spec.getLoadBalancerSourceRanges()));
            if (spec.getSelector() != null && spec.getSelector().isEmpty()) spec.setSelector(Map.of());
            spec.setType(shared(spec.getType()));
            spec.setSessionAffinity(shared(spec.getSessionAffinity()));
            spec.setInternalTrafficPolicy(shared(spec.getInternalTrafficPolicy()));
            spec.setIpFamilyPolicy(shared(spec.getIpFamilyPolicy()));
            if (spec.getPorts() != null && !spec.getPorts().contains(null)) {
                List<ServicePort> ports = new ArrayList<>(spec.getPorts().size());
                for (ServicePort port : spec.getPorts()) {
                    port.setAdditionalProperties(none(port.getAdditionalProperties()));
                    port.setName(shared(port.getName()));
                    port.setProtocol(shared(port.getProtocol()));
                    port.setAppProtocol(shared(port.getAppProtocol()));
                    ports.add(SEEN.shared(port));
                }
                spec.setPorts(SEEN.shared(List.copyOf(ports)));
            }
        }
        ServiceStatus status = service.getStatus();
        if (status != null) {
            status.setAdditionalProperties(none(status.getAdditionalProperties()));
            status.setConditions(compact(status.getConditions()));
            LoadBalancerStatus lb = status.getLoadBalancer();
            if (lb != null) {
                lb.setAdditionalProperties(none(lb.getAdditionalProperties()));
                lb.setIngress(compact(lb.getIngress()));
            }
            service.setStatus(SEEN.shared(status));
        }
    }

    private static void compact(EndpointSlice slice) {
        slice.setAdditionalProperties(none(slice.getAdditionalProperties()));
        slice.setApiVersion(shared(slice.getApiVersion()));
        slice.setKind(shared(slice.getKind()));
        slice.setAddressType(shared(slice.getAddressType()));
        if (slice.getEndpoints() != null) {
            for (Endpoint endpoint : slice.getEndpoints()) {
                if (endpoint == null) continue;
                endpoint.setAdditionalProperties(none(endpoint.getAdditionalProperties()));
                endpoint.setAddresses(compact(endpoint.getAddresses()));
                if (endpoint.getDeprecatedTopology() != null && endpoint.getDeprecatedTopology().isEmpty()) {
                    endpoint.setDeprecatedTopology(Map.of());
                }
                endpoint.setNodeName(shared(endpoint.getNodeName()));
                endpoint.setZone(shared(endpoint.getZone()));
                EndpointConditions conditions = endpoint.getConditions();
                if (conditions != null) {
                    conditions.setAdditionalProperties(none(conditions.getAdditionalProperties()));
                    endpoint.setConditions(SEEN.shared(conditions));
                }
            }
            slice.setEndpoints(compact(slice.getEndpoints()));
        }
        if (slice.getPorts() != null && !slice.getPorts().contains(null)) {
            List<EndpointPort> ports = new ArrayList<>(slice.getPorts().size());
            for (EndpointPort port : slice.getPorts()) {
                port.setAdditionalProperties(none(port.getAdditionalProperties()));
                port.setName(shared(port.getName()));
                port.setProtocol(shared(port.getProtocol()));
                port.setAppProtocol(shared(port.getAppProtocol()));
                ports.add(SEEN.shared(port));
            }
            slice.setPorts(SEEN.shared(List.copyOf(ports)));
        }
    }

    private static IngressBackend compact(IngressBackend backend) {
        if (backend == null) return null;
        backend.setAdditionalProperties(none(backend.getAdditionalProperties()));
        IngressServiceBackend service = backend.getService();
        if (service != null) {
            service.setAdditionalProperties(none(service.getAdditionalProperties()));
            service.setName(shared(service.getName()));
            ServiceBackendPort port = service.getPort();
            if (port != null) {
                port.setAdditionalProperties(none(port.getAdditionalProperties()));
                port.setName(shared(port.getName()));
            }
        }
        if (backend.getResource() != null) {
            backend.getResource().setAdditionalProperties(none(backend.getResource().getAdditionalProperties()));
        }
        return SEEN.shared(backend);
    }

    /**
     * Parts of Ingresses equal to one seen recently, shared instead of kept once per Ingress: many Ingresses name
     * the same Service port and path, and all show the same status. The cache is only read, never written into,
     * so sharing is safe; a direct-mapped table of recent values (the last one seen wins a slot) keeps nothing
     * per distinct value, unlike an interning map. Parts differ in class, so equal ones are of one class.
     */
    static final class RecentValues {
        private static final int SLOTS = 1024;
        private final AtomicReferenceArray<Object> slots = new AtomicReferenceArray<>(SLOTS);

        @SuppressWarnings("unchecked")
        <V> V shared(V value) {
            if (value == null) return null;
            int h = value.hashCode();
            int i = (h ^ (h >>> 16)) & (SLOTS - 1);
            Object seen = slots.get(i);
            if (seen != null && seen != value && seen.getClass() == value.getClass() && seen.equals(value)) return (V) seen;
            slots.set(i, value);
            return value;
        }
    }

    private static final RecentValues SEEN = new RecentValues();
}
