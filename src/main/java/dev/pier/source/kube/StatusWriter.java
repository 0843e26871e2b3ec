package dev.pier.source.kube;

import dev.pier.model.Condition;
import dev.pier.model.ObjectRef;
import dev.pier.model.ObjectStatus;
import dev.pier.model.Problem;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
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
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what translation concluded back to the cluster; only the leader's status thread
 * ({@link StatusUpdater}) calls it. Writes only what differs from what the object already says,
 * so a steady state makes no API calls.
 *
 * <ul>
 *   <li>Ingress {@code status.loadBalancer}: for every Ingress translation reported an
 *       {@link ObjectStatus} for (that is, every Ingress Pier serves), set to the publish Service's
 *       load balancer or the publish addresses. Neither given: Ingress status is left alone.</li>
 *   <li>GatewayRoute {@code status.conditions}: the conditions translation concluded.</li>
 *   <li>An events.k8s.io/v1 Warning Event per {@link Problem} (reason: the problem's reason), once
 *       per problem while it lasts; none for an object being deleted (its namespace may refuse new
 *       objects, and nobody is left to read them).</li>
 * </ul>
 *
 * <p>Deciding what to write stays on the status thread (so {@code reported} needs no lock); the status
 * PATCHes themselves go to a small pool, {@link #WRITES_IN_FLIGHT} at a time, because one after another
 * 10,000 Ingresses took a minute at start-up. A pass returns when all its PATCHes have ended.
 */
public final class StatusWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);
    private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private final KubernetesClient client;
    private final KubeSourceOptions options;
    private final Clock clock;
    private final BooleanSupplier leader;
    /**
     * Status PATCHes in flight at once: enough to hide the API server's round trip (as ingress-nginx bounds
     * its status sync pool), few enough not to crowd out other writers or trip API priority and fairness.
     */
    static final int WRITES_IN_FLIGHT = 8;
    private final ThreadPoolExecutor patchPool;
    private volatile boolean closed;
    /** Per object, the problems already reported as Events, so each is reported once while it lasts. */
    private final Map<ObjectRef, Set<String>> reported = new HashMap<>();

    /** @param leader whether this replica still leads: a PATCH not yet sent when leadership is lost is dropped */
    public StatusWriter(KubernetesClient client, KubeSourceOptions options, Clock clock, BooleanSupplier leader) {
        this.client = client;
        this.options = options;
        this.clock = clock;
        this.leader = leader;
        AtomicInteger seq = new AtomicInteger();
        this.patchPool = new ThreadPoolExecutor(WRITES_IN_FLIGHT, WRITES_IN_FLIGHT, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "pier-kube-status-write-" + seq.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        patchPool.allowCoreThreadTimeOut(true); // no threads kept while statuses are steady
    }

    /** Stops writing: PATCHes not yet sent are dropped (the next leader writes them), ones in flight are interrupted. */
    @Override
    public void close() {
        closed = true;
        for (Runnable queued : patchPool.shutdownNow()) {
            if (queued instanceof Future<?> f) f.cancel(false);
        }
    }

    /**
     * Brings the statuses of the objects in {@code statuses} up to date.
     *
     * @param gone         objects no longer reported: their problems are forgotten, so a problem that comes back is reported again
     * @param current      the cached object for a reference (Ingress, or GatewayRoute as a generic resource), if any
     * @param beingDeleted whether an object is on its way out (no Events for it)
     * @return how many writes (status patches and events) were made
     */
    public int write(List<ObjectStatus> statuses, Set<ObjectRef> gone, Function<ObjectRef, Optional<HasMetadata>> current,
                     Predicate<HasMetadata> beingDeleted) {
        gone.forEach(reported::remove);
        long start = System.nanoTime();
        List<Future<Boolean>> patches = new ArrayList<>();
        int ingressPatches = 0;
        int writes = 0;
        Optional<List<Map<String, String>>> addresses = Optional.empty();
        boolean addressesKnown = false;
        for (ObjectStatus status : statuses) {
            ObjectRef ref = status.object();
            Optional<HasMetadata> object = current.apply(ref);
            if (object.isEmpty()) {
                reported.remove(ref); // deleted since the snapshot
                continue;
            }
            try {
                if ("Ingress".equals(ref.kind()) && object.get() instanceof Ingress ingress) {
                    if (!addressesKnown) {
                        addresses = publishedAddresses();
                        addressesKnown = true;
                    }
                    if (addresses.isPresent() && submit(patches, ref, ingressPatch(ingress, addresses.get()))) ingressPatches++;
                } else if (GatewayRouteWatch.KIND.equals(ref.kind())
                        && object.get() instanceof GenericKubernetesResource route) {
                    submit(patches, ref, conditionsPatch(route, status.conditions()));
                }
                if (status.problems().isEmpty()) {
                    reported.remove(ref); // kept only for objects with problems: at 10,000 Ingresses an empty set each added up
                    continue;
                }
                Set<String> before = reported.getOrDefault(ref, Set.of());
                Set<String> now = new HashSet<>();
                reported.put(ref, now); // filled as Events go out: a failed one is tried again next time
                boolean quiet = beingDeleted.test(object.get());
                for (Problem problem : status.problems()) {
                    String key = problem.text();
                    if (!before.contains(key) && !quiet) {
                        event(object.get(), ref, problem);
                        writes++;
                    }
                    now.add(key);
                }
            } catch (KubernetesClientException e) {
                // Another write will come with the next change or leadership; the table is unaffected.
                LOG.warn("could not write status of {}: {}", ref, e.getMessage());
            }
        }
        int written = 0;
        int failed = 0;
        for (Future<Boolean> patch : patches) {
            try {
                Boolean ok = patch.get(); // null: dropped, no longer leader or closing
                if (Boolean.TRUE.equals(ok)) written++;
                else if (ok != null) failed++;
            } catch (CancellationException e) {
                // closed before it was sent
            } catch (ExecutionException e) {
                failed++; // the task logs its own failures; anything else is a bug worth a line
                LOG.warn("status write failed: {}", e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!patches.isEmpty()) {
            LOG.info("wrote {} of {} statuses ({} Ingress, {} GatewayRoute) in {} ms, {} failed", written, patches.size(), ingressPatches,
                    patches.size() - ingressPatches, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), failed);
        }
        return writes + written;
    }

    /**
     * Queues one status PATCH for the pool ({@code patch} null: nothing to write). A failed PATCH is logged
     * with its object and left for a later pass (the next change or leadership offers the statuses again).
     *
     * @return whether a PATCH was queued
     */
    private boolean submit(List<Future<Boolean>> patches, ObjectRef ref, Runnable patch) {
        if (patch == null || closed) return false;
        try {
            patches.add(patchPool.submit(() -> {
                if (closed || !leader.getAsBoolean()) return null; // dropped: the next leader writes it
                try {
                    patch.run();
                    LOG.debug("{} status written", ref);
                    return true;
                } catch (KubernetesClientException e) {
                    if (closed) LOG.debug("status of {} not written, closing: {}", ref, e.getMessage());
                    else LOG.warn("could not write status of {}: {}", ref, e.getMessage());
                    return false;
                }
            }));
            return true;
        } catch (RejectedExecutionException e) {
            return false; // closed meanwhile
        }
    }

    /** The addresses Ingress status should show, or empty when neither publish flag is set. */
    Optional<List<Map<String, String>>> publishedAddresses() {
        List<Map<String, String>> out = new ArrayList<>();
        if (options.publishAddress() != null) {
            for (String a : options.publishAddress().split(",")) {
                String v = a.trim();
                if (v.isEmpty()) continue;
                out.add(isIpLiteral(v) ? Map.of("ip", v) : Map.of("hostname", v));
            }
            return Optional.of(sorted(out));
        }
        if (options.publishService() != null) {
            String[] nsName = options.publishService().split("/", 2);
            Service svc = client.services().inNamespace(nsName[0]).withName(nsName[1]).get();
            if (svc == null) {
                LOG.warn("--publish-service {} does not exist; Ingress status not written", options.publishService());
                return Optional.empty();
            }
            if (svc.getStatus() != null && svc.getStatus().getLoadBalancer() != null
                    && svc.getStatus().getLoadBalancer().getIngress() != null) {
                for (var lb : svc.getStatus().getLoadBalancer().getIngress()) {
                    out.add(address(lb.getIp(), lb.getHostname()));
                }
            }
            if (out.isEmpty() && svc.getSpec() != null && svc.getSpec().getExternalIPs() != null) {
                svc.getSpec().getExternalIPs().forEach(ip -> out.add(Map.of("ip", ip)));
            }
            return Optional.of(sorted(out));
        }
        return Optional.empty();
    }

    /** The PATCH that makes the Ingress show {@code want}, or null when it already does. */
    private Runnable ingressPatch(Ingress ingress, List<Map<String, String>> want) {
        List<Map<String, String>> have = new ArrayList<>();
        if (ingress.getStatus() != null && ingress.getStatus().getLoadBalancer() != null
                && ingress.getStatus().getLoadBalancer().getIngress() != null) {
            ingress.getStatus().getLoadBalancer().getIngress().forEach(lb -> have.add(address(lb.getIp(), lb.getHostname())));
        }
        if (sorted(have).equals(want)) return null;
        String patch = Serialization.asJson(Map.of("status", Map.of("loadBalancer", Map.of("ingress", want))));
        // Naming the cached object (not withName) spares fabric8 a GET before the PATCH.
        return () -> client.network().v1().ingresses().inNamespace(ingress.getMetadata().getNamespace()).resource(ingress)
                .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    /** The PATCH that sets the route's conditions, or null when they already say so. */
    @SuppressWarnings("unchecked")
    private Runnable conditionsPatch(GenericKubernetesResource route, List<Condition> conditions) {
        Object statusObj = route.getAdditionalProperties().get("status");
        List<Map<String, Object>> have = List.of();
        if (statusObj instanceof Map<?, ?> status && status.get("conditions") instanceof List<?> list) {
            have = (List<Map<String, Object>>) list;
        }
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
        List<Map<String, Object>> want = new ArrayList<>();
        boolean same = have.size() == conditions.size();
        for (Condition c : conditions) {
            Map<String, Object> old = have.stream().filter(h -> c.type().equals(h.get("type"))).findFirst().orElse(null);
            boolean unchanged = old != null && c.status().equals(old.get("status")) && Objects.equals(c.reason(), old.get("reason"))
                    && Objects.equals(nullToEmpty(c.message()), old.getOrDefault("message", ""))
                    && old.get("observedGeneration") instanceof Number g && g.longValue() == c.observedGeneration();
            same &= unchanged;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", c.type());
            m.put("status", c.status());
            m.put("reason", c.reason());
            m.put("message", nullToEmpty(c.message()));
            m.put("observedGeneration", c.observedGeneration());
            // The transition time moves only when the status flips, as the Kubernetes convention asks.
            m.put("lastTransitionTime", old != null && c.status().equals(old.get("status")) && old.get("lastTransitionTime") != null
                    ? old.get("lastTransitionTime") : now);
            want.add(m);
        }
        if (same) return null;
        String patch = Serialization.asJson(Map.of("status", Map.of("conditions", want)));
        return () -> client.genericKubernetesResources(GatewayRouteWatch.CONTEXT).inNamespace(route.getMetadata().getNamespace())
                .resource(route).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    private void event(HasMetadata object, ObjectRef ref, Problem problem) {
        String text = problem.text();
        String note = text.length() > 1000 ? text.substring(0, 1000) : text;
        client.events().v1().events().inNamespace(ref.namespace()).resource(new EventBuilder()
                .withNewMetadata().withGenerateName(ref.name() + "-").withNamespace(ref.namespace()).endMetadata()
                .withEventTime(new MicroTime(MICRO.format(Instant.now(clock))))
                .withType("Warning")
                .withReason(problem.reason())
                .withAction("Translate")
                .withNote(note)
                .withReportingController(options.translate().controllerName())
                .withReportingInstance(options.identity())
                .withRegarding(new ObjectReferenceBuilder()
                        .withApiVersion(object.getApiVersion())
                        .withKind(ref.kind())
                        .withNamespace(ref.namespace())
                        .withName(ref.name())
                        .withUid(object.getMetadata().getUid())
                        .withResourceVersion(object.getMetadata().getResourceVersion())
                        .build())
                .build()).create();
    }

    private static Map<String, String> address(String ip, String hostname) {
        Map<String, String> m = new LinkedHashMap<>();
        if (ip != null && !ip.isEmpty()) m.put("ip", ip);
        if (hostname != null && !hostname.isEmpty()) m.put("hostname", hostname);
        return m;
    }

    private static List<Map<String, String>> sorted(List<Map<String, String>> list) {
        List<Map<String, String>> copy = new ArrayList<>(list);
        copy.sort(Comparator.comparing(Map::toString));
        return copy;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** An IPv4 or IPv6 literal, decided without any DNS lookup. */
    static boolean isIpLiteral(String s) {
        if (s.indexOf(':') >= 0) return s.matches("[0-9a-fA-F:.]+");
        return s.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    }
}
