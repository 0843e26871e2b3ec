package dev.pier.source.kube;

import dev.pier.api.GatewayRoute;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import dev.pier.model.Endpoint;
import dev.pier.model.ObjectRef;
import dev.pier.model.ServiceKey;
import dev.pier.source.SnapshotSink;
import dev.pier.translate.ResourceSnapshot;
import dev.pier.translate.TranslationResult;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster source: informers for IngressClasses, Ingresses, Services, EndpointSlices (core/v1
 * Endpoints where the cluster serves no discovery.k8s.io/v1), TLS Secrets and GatewayRoutes.
 * Events only mark things dirty; one thread ("pier-kube-rebuild") batches them, and after all
 * informers have synced hands the sink either a full {@link ResourceSnapshot} (something that
 * shapes routes changed) or, when only EndpointSlices changed, the changed endpoint lists.
 * The leader (Lease election) then writes statuses through {@link StatusWriter}.
 *
 * <p>Watch errors are logged and retried by the informers with backoff; the sink keeps the last table.
 */
public final class KubeSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubeSource.class);
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final String BY_SERVICE = "by-service";

    private enum Kind { INGRESS_CLASS, INGRESS, SERVICE, ENDPOINTS, SECRET, GATEWAY_ROUTE }

    private final KubernetesClient client;
    private final KubeSourceOptions options;
    private final SnapshotSink sink;
    private final StatusWriter statusWriter;
    private final Leadership leadership;
    private final Map<Kind, List<SharedIndexInformer<? extends HasMetadata>>> informers = new LinkedHashMap<>();
    private boolean endpointSlices;
    private boolean gatewayRoutes;

    private final Object lock = new Object();
    // Guarded by lock: what changed since the last rebuild.
    private boolean routesDirty = true;
    private boolean statusDirty;
    private final Set<String> dirtyServices = new HashSet<>();
    private long firstEventNanos;
    private long lastEventNanos;
    private boolean closed;

    // Only the rebuild thread touches these.
    private Map<String, String> lastFingerprint;
    private TranslationResult lastResult;
    private final Map<String, Map<ServiceKey, List<Endpoint>>> lastEndpoints = new HashMap<>();
    private Thread rebuildThread;

    public KubeSource(KubernetesClient client, KubeSourceOptions options, SnapshotSink sink) {
        this.client = client;
        this.options = options;
        this.sink = sink;
        this.statusWriter = new StatusWriter(client, options, Clock.systemUTC());
        this.leadership = new Leadership(client, options, this::becameLeader, () -> { });
    }

    /** Starts the informers, the rebuild thread and leader election; returns without waiting for a sync. */
    public void start() {
        endpointSlices = client.supports(EndpointSlice.class);
        gatewayRoutes = GatewayRouteWatch.served(client);
        if (!endpointSlices) LOG.info("the cluster serves no discovery.k8s.io/v1; reading core/v1 Endpoints");
        if (!gatewayRoutes) LOG.info("the GatewayRoute CRD ({}/{}) is not installed; serving Ingresses only",
                GatewayRouteWatch.GROUP, GatewayRouteWatch.VERSION);

        add(Kind.INGRESS_CLASS, client.network().v1().ingressClasses());
        for (String ns : namespaces()) {
            add(Kind.INGRESS, ns == null ? client.network().v1().ingresses().inAnyNamespace()
                    : client.network().v1().ingresses().inNamespace(ns));
            add(Kind.SERVICE, ns == null ? client.services().inAnyNamespace() : client.services().inNamespace(ns));
            // Only TLS Secrets: Pier needs no others, and reading every Secret is both costly and more access than needed.
            add(Kind.SECRET, (ns == null ? client.secrets().inAnyNamespace() : client.secrets().inNamespace(ns))
                    .withField("type", "kubernetes.io/tls"));
            if (endpointSlices) {
                add(Kind.ENDPOINTS, ns == null ? client.discovery().v1().endpointSlices().inAnyNamespace()
                        : client.discovery().v1().endpointSlices().inNamespace(ns))
                        .addIndexers(Map.of(BY_SERVICE, s -> List.of(serviceOf(s))));
            } else {
                add(Kind.ENDPOINTS, ns == null ? client.endpoints().inAnyNamespace() : client.endpoints().inNamespace(ns));
            }
            if (gatewayRoutes) {
                var op = client.genericKubernetesResources(GatewayRouteWatch.CONTEXT);
                add(Kind.GATEWAY_ROUTE, ns == null ? op.inAnyNamespace() : op.inNamespace(ns));
            }
        }
        rebuildThread = new Thread(this::rebuildLoop, "pier-kube-rebuild");
        rebuildThread.setDaemon(true);
        rebuildThread.start();
        for (var list : informers.values()) {
            for (var informer : list) {
                informer.start().whenComplete((v, t) -> signal());
            }
        }
        leadership.start();
    }

    /** Whether every informer has finished its first list. */
    public boolean hasSynced() {
        return informers.values().stream().flatMap(List::stream).allMatch(SharedIndexInformer::hasSynced);
    }

    /** Whether this replica currently holds the Lease (and so writes statuses). */
    public boolean isLeader() {
        return leadership.isLeader();
    }

    /** Whether EndpointSlices are read (false: converted from core/v1 Endpoints). */
    public boolean usesEndpointSlices() {
        return endpointSlices;
    }

    /** Whether the GatewayRoute CRD was served at start, and so is watched. */
    public boolean watchesGatewayRoutes() {
        return gatewayRoutes;
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        leadership.close();
        if (rebuildThread != null) {
            try {
                rebuildThread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        informers.values().stream().flatMap(List::stream).forEach(SharedIndexInformer::stop);
    }

    private List<String> namespaces() {
        if (options.watchNamespaces().isEmpty()) return java.util.Collections.singletonList(null);
        return List.copyOf(new TreeSet<>(options.watchNamespaces()));
    }

    private <T extends HasMetadata> SharedIndexInformer<T> add(Kind kind, Informable<T> op) {
        SharedIndexInformer<T> informer = op.runnableInformer(0).itemStore(new TrimmedStore<>());
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                changed(kind, obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                // A relist after a watch error re-delivers unchanged objects; they change nothing.
                if (Objects.equals(oldObj.getMetadata().getResourceVersion(), newObj.getMetadata().getResourceVersion())) return;
                changed(kind, newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed(kind, obj);
            }
        });
        informer.exceptionHandler((started, t) -> {
            LOG.warn("{} watch failed (retrying): {}", kind, t.toString());
            return true;
        });
        informers.computeIfAbsent(kind, k -> new ArrayList<>()).add(informer);
        return informer;
    }

    private void changed(Kind kind, HasMetadata obj) {
        synchronized (lock) {
            if (kind == Kind.ENDPOINTS) {
                dirtyServices.add(endpointsServiceKey(obj));
            } else {
                routesDirty = true;
            }
            long now = System.nanoTime();
            if (firstEventNanos == 0) firstEventNanos = now;
            lastEventNanos = now;
            lock.notifyAll();
        }
    }

    private void signal() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private void becameLeader() {
        synchronized (lock) {
            statusDirty = true;
            if (firstEventNanos == 0) firstEventNanos = lastEventNanos = System.nanoTime();
            lock.notifyAll();
        }
    }

    private void rebuildLoop() {
        while (true) {
            boolean routes;
            boolean status;
            Set<String> services;
            try {
                synchronized (lock) {
                    while (!closed && !(pending() && hasSynced())) {
                        lock.wait(pending() ? 100 : 0); // informer sync is signalled, but poll in case one restarts
                    }
                    if (closed) return;
                    // Hold off until things are quiet for holdOff, but no longer than maxHoldOff after the first event.
                    while (!closed) {
                        long now = System.nanoTime();
                        long until = Math.min(lastEventNanos + options.holdOff().toNanos(),
                                firstEventNanos + options.maxHoldOff().toNanos());
                        if (firstEventNanos == 0 || now >= until) break;
                        TimeUnit.NANOSECONDS.timedWait(lock, until - now);
                    }
                    if (closed) return;
                    routes = routesDirty;
                    status = statusDirty;
                    services = new HashSet<>(dirtyServices);
                    routesDirty = statusDirty = false;
                    dirtyServices.clear();
                    firstEventNanos = lastEventNanos = 0;
                }
            } catch (InterruptedException e) {
                return;
            }
            try {
                rebuild(routes, status, services);
            } catch (RuntimeException e) {
                LOG.error("rebuild from the cluster caches failed; the last table keeps serving", e);
                sink.sourceError("kubernetes", e.toString());
            }
        }
    }

    private boolean pending() {
        return routesDirty || statusDirty || !dirtyServices.isEmpty();
    }

    private void rebuild(boolean routes, boolean status, Set<String> services) {
        Map<String, String> fingerprint = routes ? fingerprint() : lastFingerprint;
        if (routes && !fingerprint.equals(lastFingerprint)) {
            ResourceSnapshot snapshot = snapshot();
            lastResult = sink.snapshot(snapshot);
            lastFingerprint = fingerprint;
            lastEndpoints.clear();
            // Translation resolved every Service's endpoints already: group them, don't resolve again.
            lastResult.endpoints().forEach((k, v) ->
                    lastEndpoints.computeIfAbsent(k.namespace() + "/" + k.name(), s -> new HashMap<>()).put(k, v));
            status = true;
        } else if (!services.isEmpty()) {
            Map<ServiceKey, List<Endpoint>> changed = new LinkedHashMap<>();
            for (String service : services) {
                Map<ServiceKey, List<Endpoint>> now = cachedService(service).map(this::endpointsOf).orElse(Map.of());
                Map<ServiceKey, List<Endpoint>> before = lastEndpoints.getOrDefault(service, Map.of());
                before.keySet().stream().filter(k -> !now.containsKey(k)).forEach(k -> changed.put(k, List.of()));
                now.forEach((k, v) -> {
                    if (!v.equals(before.get(k))) changed.put(k, v);
                });
                if (now.isEmpty()) lastEndpoints.remove(service);
                else lastEndpoints.put(service, now);
            }
            if (!changed.isEmpty()) sink.endpoints(changed);
        }
        if (status && lastResult != null && leadership.isLeader()) {
            statusWriter.write(lastResult.statuses(), this::cached);
        }
    }

    private ResourceSnapshot snapshot() {
        return new ResourceSnapshot(list(Kind.INGRESS_CLASS, IngressClass.class), list(Kind.INGRESS, Ingress.class),
                list(Kind.SERVICE, Service.class), allSlices(), list(Kind.SECRET, Secret.class), gatewayRoutes(), List.of());
    }

    /** kind/namespace/name -> resourceVersion of everything but endpoints: equal maps mean an identical snapshot. */
    private Map<String, String> fingerprint() {
        Map<String, String> fp = new HashMap<>();
        informers.forEach((kind, list) -> {
            if (kind == Kind.ENDPOINTS) return;
            for (var informer : list) {
                for (HasMetadata o : informer.getStore().list()) {
                    fp.put(kind + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName(), version(kind, o));
                }
            }
        });
        return fp;
    }

    /**
     * What identifies an object's content for translation. For kinds whose status Pier itself
     * writes, the spec generation plus labels and annotations: otherwise every status write would
     * come back as a change and cause one more full rebuild.
     */
    private static String version(Kind kind, HasMetadata o) {
        var m = o.getMetadata();
        if ((kind == Kind.INGRESS || kind == Kind.GATEWAY_ROUTE) && m.getGeneration() != null) {
            return "g" + m.getGeneration() + "/" + sortedText(m.getLabels()) + "/" + sortedText(m.getAnnotations());
        }
        return String.valueOf(m.getResourceVersion());
    }

    private static String sortedText(Map<String, String> map) {
        return map == null ? "{}" : new java.util.TreeMap<>(map).toString();
    }

    private Map<ServiceKey, List<Endpoint>> endpointsOf(Service svc) {
        String ns = svc.getMetadata().getNamespace();
        String name = svc.getMetadata().getName();
        // TEMPORARY: switch to dev.pier.translate.Endpoints.forService once the translation room's class is merged.
        return dev.pier.translate.ServiceEndpoints.forService(svc, slicesOf(ns, name), options.translate().allowExternalName());
    }

    @SuppressWarnings("unchecked")
    private List<EndpointSlice> slicesOf(String namespace, String service) {
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

    private List<EndpointSlice> allSlices() {
        if (endpointSlices) return list(Kind.ENDPOINTS, EndpointSlice.class);
        List<EndpointSlice> out = new ArrayList<>();
        for (Endpoints e : list(Kind.ENDPOINTS, Endpoints.class)) out.addAll(EndpointsConversion.toSlices(e));
        return out;
    }

    /**
     * GatewayRoutes are watched as generic resources (status writes patch them as such) and
     * converted to the typed class for translation. The CRD schema makes a failing conversion
     * unlikely; one that fails is left out and logged, the others translate.
     */
    private List<GatewayRoute> gatewayRoutes() {
        List<GatewayRoute> routes = new ArrayList<>();
        for (GenericKubernetesResource generic : list(Kind.GATEWAY_ROUTE, GenericKubernetesResource.class)) {
            try {
                routes.add(client.getKubernetesSerialization().convertValue(generic, GatewayRoute.class));
            } catch (RuntimeException e) {
                LOG.warn("GatewayRoute {}/{} cannot be read, left out: {}", generic.getMetadata().getNamespace(),
                        generic.getMetadata().getName(), e.getMessage());
            }
        }
        return routes;
    }

    private <T extends HasMetadata> List<T> list(Kind kind, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (var informer : informers.getOrDefault(kind, List.of())) {
            for (HasMetadata o : informer.getStore().list()) out.add(type.cast(o));
        }
        // Sorted, so equal caches give equal snapshots whatever order events came in.
        out.sort(Comparator.comparing((T o) -> String.valueOf(o.getMetadata().getNamespace()))
                .thenComparing(o -> o.getMetadata().getName()));
        return out;
    }

    private Optional<Service> cachedService(String namespaceAndName) {
        for (var informer : informers.getOrDefault(Kind.SERVICE, List.of())) {
            HasMetadata s = informer.getStore().getByKey(namespaceAndName);
            if (s != null) return Optional.of((Service) s);
        }
        return Optional.empty();
    }

    /** The cached object a status refers to, for the status writer. */
    private Optional<HasMetadata> cached(ObjectRef ref) {
        Kind kind = switch (ref.kind()) {
            case "Ingress" -> Kind.INGRESS;
            case GatewayRouteWatch.KIND -> Kind.GATEWAY_ROUTE;
            case "Service" -> Kind.SERVICE;
            default -> null;
        };
        if (kind == null) return Optional.empty();
        String key = ref.namespace() + "/" + ref.name();
        for (var informer : informers.getOrDefault(kind, List.of())) {
            HasMetadata o = informer.getStore().getByKey(key);
            if (o != null) return Optional.of(o);
        }
        return Optional.empty();
    }

    private static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    private static String serviceOf(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String svc = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        return slice.getMetadata().getNamespace() + "/" + (svc == null ? "" : svc);
    }

    private String endpointsServiceKey(HasMetadata obj) {
        return obj instanceof EndpointSlice slice ? serviceOf(slice) : key(obj);
    }
}
