package dev.pier.source.kube;

import dev.pier.model.ObjectRef;
import dev.pier.translate.CertificateRefs;
import dev.pier.translate.ServiceEndpoints;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The informers of the cluster source and reads of their caches: IngressClasses, Ingresses,
 * Services, EndpointSlices (core/v1 Endpoints where the cluster serves no discovery.k8s.io/v1),
 * TLS Secrets, ConfigMaps (for the CA bundles routes name), GatewayRoutes (when the CRD is installed)
 * and Namespaces (for their phase). Events
 * only tell the {@link Listener} what changed; nothing else happens on the informers' threads.
 */
final class Informers {
    private static final Logger LOG = LoggerFactory.getLogger(Informers.class);
    private static final String BY_SERVICE = "by-service";

    enum Kind { INGRESS_CLASS, INGRESS, SERVICE, ENDPOINTS, SECRET, CONFIG_MAP, GATEWAY_ROUTE, NAMESPACE }

    /** Told of every change; called on informer threads, so it must only take note. */
    interface Listener {
        void changed(Kind kind, HasMetadata object);

        /** An informer finished a list (synced): nothing changed, but a waiting rebuild may go. */
        void synced();
    }

    private final KubernetesClient client;
    private final KubeSourceOptions options;
    private final Map<Kind, List<SharedIndexInformer<? extends HasMetadata>>> informers = new LinkedHashMap<>();
    private boolean endpointSlices;
    private boolean gatewayRoutes;

    Informers(KubernetesClient client, KubeSourceOptions options) {
        this.client = client;
        this.options = options;
    }

    /** Creates and starts every informer; returns without waiting for them to sync. */
    void start(Listener listener) {
        endpointSlices = client.supports(EndpointSlice.class);
        gatewayRoutes = GatewayRouteWatch.served(client);
        if (!endpointSlices) LOG.info("the cluster serves no discovery.k8s.io/v1; reading core/v1 Endpoints");
        if (!gatewayRoutes) LOG.info("the GatewayRoute CRD ({}) is not installed; serving Ingresses only",
                GatewayRouteWatch.CONTEXT.getGroup() + "/" + GatewayRouteWatch.CONTEXT.getVersion());

        add(Kind.INGRESS_CLASS, client.network().v1().ingressClasses(), listener);
        for (String ns : namespaces()) {
            // Namespaces are cluster-scoped: all of them, or each watched one by name.
            add(Kind.NAMESPACE, ns == null ? client.namespaces() : client.namespaces().withField("metadata.name", ns), listener);
            add(Kind.INGRESS, ns == null ? client.network().v1().ingresses().inAnyNamespace()
                    : client.network().v1().ingresses().inNamespace(ns), listener);
            add(Kind.SERVICE, ns == null ? client.services().inAnyNamespace() : client.services().inNamespace(ns), listener);
            // Only TLS Secrets: Pier needs no others, and reading every Secret is both costly and more access than needed.
            add(Kind.SECRET, (ns == null ? client.secrets().inAnyNamespace() : client.secrets().inNamespace(ns))
                    .withField("type", CertificateRefs.TLS_SECRET_TYPE), listener);
            // ConfigMaps hold the CA bundles (ca.crt) of backendTLS; the store keeps only that key.
            add(Kind.CONFIG_MAP, ns == null ? client.configMaps().inAnyNamespace() : client.configMaps().inNamespace(ns), listener);
            if (endpointSlices) {
                add(Kind.ENDPOINTS, ns == null ? client.discovery().v1().endpointSlices().inAnyNamespace()
                        : client.discovery().v1().endpointSlices().inNamespace(ns), listener)
                        .addIndexers(Map.of(BY_SERVICE, s -> List.of(serviceOf(s))));
            } else {
                add(Kind.ENDPOINTS, ns == null ? client.endpoints().inAnyNamespace() : client.endpoints().inNamespace(ns), listener);
            }
            if (gatewayRoutes) {
                var op = client.genericKubernetesResources(GatewayRouteWatch.CONTEXT);
                add(Kind.GATEWAY_ROUTE, ns == null ? op.inAnyNamespace() : op.inNamespace(ns), listener);
            }
        }
        for (var list : informers.values()) {
            for (var informer : list) {
                informer.start().whenComplete((v, t) -> listener.synced());
            }
        }
    }

    void stop() {
        informers.values().stream().flatMap(List::stream).forEach(SharedIndexInformer::stop);
    }

    /** Whether every informer has finished its first list. */
    boolean hasSynced() {
        return informers.values().stream().flatMap(List::stream).allMatch(SharedIndexInformer::hasSynced);
    }

    boolean usesEndpointSlices() {
        return endpointSlices;
    }

    boolean watchesGatewayRoutes() {
        return gatewayRoutes;
    }

    private List<String> namespaces() {
        if (options.watchNamespaces().isEmpty()) return Collections.singletonList(null);
        return List.copyOf(new TreeSet<>(options.watchNamespaces()));
    }

    private <T extends HasMetadata> SharedIndexInformer<T> add(Kind kind, Informable<T> op, Listener listener) {
        // No namespace index: nothing here looks objects up by namespace, and it kept a key and a set entry per object.
        SharedIndexInformer<T> informer = op.runnableInformer(0).itemStore(new TrimmedStore<>()).removeNamespaceIndex();
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                listener.changed(kind, obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                // A relist after a watch error re-delivers unchanged objects; a status Pier wrote itself, or a ConfigMap
                // change outside its CA bundle, shapes no route: none of them wakes the rebuild thread.
                if (Objects.equals(oldObj.getMetadata().getResourceVersion(), newObj.getMetadata().getResourceVersion())) return;
                if (kind != Kind.ENDPOINTS && SnapshotAssembly.version(kind, oldObj).equals(SnapshotAssembly.version(kind, newObj))) return;
                listener.changed(kind, newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                listener.changed(kind, obj);
            }
        });
        informer.exceptionHandler((started, t) -> {
            LOG.warn("{} watch failed (retrying): {}", kind, t.toString());
            return true;
        });
        informers.computeIfAbsent(kind, k -> new ArrayList<>()).add(informer);
        return informer;
    }

    /** Every cached object of a kind, sorted by namespace/name so equal caches give equal lists. */
    <T extends HasMetadata> List<T> list(Kind kind, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (var informer : informers.getOrDefault(kind, List.of())) {
            for (HasMetadata o : informer.getStore().list()) out.add(type.cast(o));
        }
        out.sort(Comparator.comparing((T o) -> String.valueOf(o.getMetadata().getNamespace()))
                .thenComparing(o -> o.getMetadata().getName()));
        return out;
    }

    /** The cached object of a kind by {@code namespace/name} (or name, for cluster-scoped kinds). */
    Optional<HasMetadata> get(Kind kind, String key) {
        for (var informer : informers.getOrDefault(kind, List.of())) {
            HasMetadata o = informer.getStore().getByKey(key);
            if (o != null) return Optional.of(o);
        }
        return Optional.empty();
    }

    /** The cached object a status refers to, for the status writer. */
    Optional<HasMetadata> cached(ObjectRef ref) {
        Kind kind = switch (ref.kind()) {
            case "Ingress" -> Kind.INGRESS;
            case GatewayRouteWatch.KIND -> Kind.GATEWAY_ROUTE;
            case "Service" -> Kind.SERVICE;
            default -> null;
        };
        return kind == null ? Optional.empty() : get(kind, ref.namespace() + "/" + ref.name());
    }

    /** Whether an object is on its way out (a deletionTimestamp, or its namespace is terminating). */
    boolean beingDeleted(HasMetadata o) {
        if (o.getMetadata().getDeletionTimestamp() != null) return true;
        return get(Kind.NAMESPACE, o.getMetadata().getNamespace()).map(n -> {
            Namespace ns = (Namespace) n;
            return ns.getMetadata().getDeletionTimestamp() != null
                    || (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase()));
        }).orElse(false);
    }

    /** The EndpointSlices of one Service (converted from core/v1 Endpoints where need be). */
    @SuppressWarnings("unchecked")
    List<EndpointSlice> slicesOf(String namespace, String service) {
        List<EndpointSlice> out = new ArrayList<>();
        for (var informer : informers.getOrDefault(Kind.ENDPOINTS, List.of())) {
            if (endpointSlices) {
                out.addAll(((SharedIndexInformer<EndpointSlice>) informer).getIndexer().byIndex(BY_SERVICE, namespace + "/" + service));
            } else {
                Endpoints e = ((SharedIndexInformer<Endpoints>) informer).getStore().getByKey(namespace + "/" + service);
                if (e != null) out.addAll(EndpointsConversion.toSlices(e));
            }
        }
        return out;
    }

    List<EndpointSlice> allSlices() {
        if (endpointSlices) return list(Kind.ENDPOINTS, EndpointSlice.class);
        List<EndpointSlice> out = new ArrayList<>();
        for (Endpoints e : list(Kind.ENDPOINTS, Endpoints.class)) out.addAll(EndpointsConversion.toSlices(e));
        return out;
    }

    /** The {@code namespace/service} an EndpointSlice or Endpoints object serves. */
    static String serviceKey(HasMetadata obj) {
        if (obj instanceof EndpointSlice slice) {
            Map<String, String> labels = slice.getMetadata().getLabels();
            String svc = labels == null ? null : labels.get(ServiceEndpoints.SERVICE_NAME_LABEL);
            return slice.getMetadata().getNamespace() + "/" + (svc == null ? "" : svc);
        }
        return obj.getMetadata().getNamespace() + "/" + obj.getMetadata().getName();
    }

    private static String serviceOf(EndpointSlice slice) {
        return serviceKey(slice);
    }
}
