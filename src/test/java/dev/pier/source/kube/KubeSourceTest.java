package dev.pier.source.kube;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pier.model.Endpoint;
import dev.pier.model.ObjectRef;
import dev.pier.model.ObjectStatus;
import dev.pier.model.Problem;
import dev.pier.model.ServiceKey;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import dev.pier.translate.ResourceSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** KubeSource against a real API server: what the sink receives, and who writes status. */
@ExtendWith(KubeApiServerExtension.class)
class KubeSourceTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final List<KubeSource> sources = new java.util.ArrayList<>();
    private final List<KubernetesClient> clients = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        sources.forEach(KubeSource::close);
        clients.forEach(KubernetesClient::close);
    }

    @Test
    void full_snapshot_first_then_endpoint_only_changes_go_to_endpoints(KubeApiServer kube) throws Exception {
        KubernetesClient k = kube.client();
        String ns = namespace(k, "snap");
        String other = namespace(k, "other");
        k.services().inNamespace(ns).resource(service("web")).create();
        k.discovery().v1().endpointSlices().inNamespace(ns).resource(slice("web-1", "web", "198.19.255.1")).create();
        k.network().v1().ingresses().inNamespace(ns).resource(ingress("shop", "web")).create();
        k.secrets().inNamespace(ns).resource(tlsSecret("cert")).create();
        k.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("opaque").endMetadata()
                .addToStringData("password", "x").build()).create();
        k.services().inNamespace(other).resource(service("elsewhere")).create();

        RecordingSink sink = new RecordingSink();
        KubeSource source = start(kube, options(ns).withWatchNamespaces(Set.of(ns)), sink);

        ResourceSnapshot first = sink.awaitSnapshot(s -> names(s.ingresses()).contains("shop")
                && names(s.endpointSlices()).contains("web-1"));
        assertThat(source.hasSynced()).isTrue();
        assertThat(source.usesEndpointSlices()).isTrue();
        assertThat(names(first.services())).containsExactly("web"); // the other namespace is not watched
        assertThat(names(first.secrets())).containsExactly("cert"); // only kubernetes.io/tls Secrets

        // A new pod address: only endpoints(...) hears of it.
        k.discovery().v1().endpointSlices().inNamespace(ns).withName("web-1")
                .edit(s -> slice("web-1", "web", "198.19.255.1", "198.19.255.2"));
        var changed = sink.awaitEndpoints(m -> m.containsKey(new ServiceKey(ns, "web", 80)));
        assertThat(changed).containsExactly(Map.entry(new ServiceKey(ns, "web", 80),
                List.of(Endpoint.of("198.19.255.1", 8080), Endpoint.of("198.19.255.2", 8080))));
        assertThat(sink.snapshots).as("an endpoint-only change makes no snapshot").isEmpty();

        // A status-only change (what Pier itself writes) shapes no route: no snapshot.
        k.network().v1().ingresses().inNamespace(ns).withName("shop").editStatus(i -> new IngressBuilder(i)
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("198.19.255.9").endIngress().endLoadBalancer().endStatus()
                .build());
        // A route change is a new snapshot; it carries the new slice too.
        k.network().v1().ingresses().inNamespace(ns).withName("shop")
                .edit(i -> new IngressBuilder(i).editMetadata().addToAnnotations("touched", "yes").endMetadata().build());
        ResourceSnapshot second = sink.snapshots.poll(RecordingSink.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(second).as("a snapshot after the annotation change").isNotNull();
        assertThat(second.ingresses()).as("the next snapshot is the annotation change, none for the status")
                .allMatch(i -> hasAnnotation(i, "touched"));
        assertThat(second.endpointSlices().get(0).getEndpoints()).hasSize(2);

        // Deleting the slice leaves the port with no endpoints.
        k.discovery().v1().endpointSlices().inNamespace(ns).withName("web-1").delete();
        assertThat(sink.awaitEndpoints(m -> m.containsKey(new ServiceKey(ns, "web", 80))))
                .containsEntry(new ServiceKey(ns, "web", 80), List.of());
    }

    @Test
    void leader_writes_ingress_status_and_events_for_problems(KubeApiServer kube) throws Exception {
        KubernetesClient k = kube.client();
        String ns = namespace(k, "status");
        k.network().v1().ingresses().inNamespace(ns).resource(ingress("shop", "web")).create();
        k.network().v1().ingresses().inNamespace(ns).resource(ingress("broken", "missing")).create();

        RecordingSink sink = new RecordingSink();
        sink.statuses = s -> s.ingresses().stream().map(i -> {
            ObjectRef ref = new ObjectRef("Ingress", i.getMetadata().getNamespace(), i.getMetadata().getName());
            return new ObjectStatus(ref, List.of(), i.getMetadata().getName().equals("broken")
                    ? List.of(new Problem(ref, "spec.rules[0].http.paths[0].backend.service.name", Problem.RESOLVED_REFS,
                    Problem.BACKEND_NOT_FOUND, "Service missing not found"))
                    : List.of());
        }).toList();
        KubeSource source = start(kube, options(ns).withWatchNamespaces(Set.of(ns))
                .withPublishAddress("198.19.255.10, lb.pier.test"), sink);

        awaitTrue(source::isLeader, "the only replica becomes leader");
        awaitTrue(() -> lbOf(k, ns, "shop").size() == 2, "Ingress status written");
        assertThat(lbOf(k, ns, "shop")).extracting(IngressLoadBalancerIngress::getIp, IngressLoadBalancerIngress::getHostname)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("198.19.255.10", null),
                        org.assertj.core.groups.Tuple.tuple(null, "lb.pier.test"));
        awaitTrue(() -> !KubeSourceRbacTest.piersEvents(k, ns).isEmpty(), "an Event for the problem");
        var event = KubeSourceRbacTest.piersEvents(k, ns).get(0);
        assertThat(event.getRegarding().getName()).isEqualTo("broken");
        assertThat(event.getNote()).isEqualTo("spec.rules[0].http.paths[0].backend.service.name: Service missing not found");
        assertThat(event.getReason()).as("the problem's own reason").isEqualTo(Problem.BACKEND_NOT_FOUND);
        assertThat(event.getType()).isEqualTo("Warning");
    }

    @Test
    void many_ingresses_all_get_their_status(KubeApiServer kube) throws Exception {
        KubernetesClient k = kube.client();
        String ns = namespace(k, "many");
        int count = 200; // more than the PATCHes in flight at once, many times over
        for (int i = 0; i < count; i++) k.network().v1().ingresses().inNamespace(ns).resource(ingress("shop-" + i, "web")).create();

        RecordingSink sink = new RecordingSink();
        sink.statuses = s -> s.ingresses().stream().map(i -> new ObjectStatus(
                new ObjectRef("Ingress", ns, i.getMetadata().getName()), List.of(), List.of())).toList();
        start(kube, options(ns).withWatchNamespaces(Set.of(ns)).withPublishAddress("198.19.255.11"), sink);

        awaitTrue(() -> k.network().v1().ingresses().inNamespace(ns).list().getItems().stream()
                .filter(i -> i.getStatus() != null && i.getStatus().getLoadBalancer() != null
                        && i.getStatus().getLoadBalancer().getIngress() != null
                        && i.getStatus().getLoadBalancer().getIngress().stream().anyMatch(l -> "198.19.255.11".equals(l.getIp())))
                .count() == count, "every one of " + count + " Ingresses shows the address");
    }

    @Test
    void a_failed_status_write_is_logged_and_does_not_stop_the_others(KubeApiServer kube) throws Exception {
        KubernetesClient k = kube.client();
        String ns = namespace(k, "failwrite");
        Map<ObjectRef, HasMetadata> cached = new java.util.HashMap<>();
        List<ObjectStatus> wanted = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Ingress created = k.network().v1().ingresses().inNamespace(ns).resource(ingress("shop-" + i, "web")).create();
            ObjectRef ref = new ObjectRef("Ingress", ns, created.getMetadata().getName());
            cached.put(ref, created);
            wanted.add(new ObjectStatus(ref, List.of(), List.of()));
        }
        // Gone from the API server but still in the (stale) cache: its PATCH fails with 404.
        k.network().v1().ingresses().inNamespace(ns).withName("shop-7").delete();
        awaitTrue(() -> k.network().v1().ingresses().inNamespace(ns).withName("shop-7").get() == null, "shop-7 deleted");

        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(StatusWriter.class);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO); // tests log warnings only; the pass summary is INFO
        logger.addAppender(log);
        try (StatusWriter writer = new StatusWriter(k, options(ns).withPublishAddress("198.19.255.12"),
                java.time.Clock.systemUTC(), () -> true)) {
            int writes = writer.write(wanted, Set.of(), ref -> java.util.Optional.ofNullable(cached.get(ref)), o -> false);

            assertThat(writes).as("every write but the deleted one's").isEqualTo(19);
            for (int i = 0; i < 20; i++) {
                if (i == 7) continue;
                assertThat(lbOf(k, ns, "shop-" + i)).extracting(IngressLoadBalancerIngress::getIp).containsExactly("198.19.255.12");
            }
            assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                    .singleElement().satisfies(m -> assertThat(m).contains("could not write status of").contains(ns).contains("shop-7"));
            assertThat(log.list).filteredOn(e -> e.getLevel() == Level.INFO).extracting(ILoggingEvent::getFormattedMessage)
                    .singleElement().satisfies(m -> assertThat(m)
                            .matches("wrote 19 of 20 statuses \\(20 Ingress, 0 GatewayRoute\\) in \\d+ ms, 1 failed"));
            // Read back from the API server: the written ones are not written again, the deleted one is skipped.
            assertThat(writer.write(wanted, Set.of(), ref -> java.util.Optional.ofNullable(
                    k.network().v1().ingresses().inNamespace(ns).withName(ref.name()).get()).map(HasMetadata.class::cast), o -> false))
                    .as("a second pass finds nothing to write").isZero();
        } finally {
            logger.detachAppender(log);
            logger.setLevel(level);
        }
    }

    @Test
    void publish_service_load_balancer_is_copied(KubeApiServer kube) throws Exception {
        KubernetesClient k = kube.client();
        String ns = namespace(k, "pubsvc");
        k.services().inNamespace(ns).resource(new ServiceBuilder(service("pier")).editSpec().withType("LoadBalancer").endSpec().build()).create();
        k.services().inNamespace(ns).withName("pier").editStatus(s -> new ServiceBuilder(s).withNewStatus().withNewLoadBalancer()
                .addNewIngress().withIp("198.19.255.20").endIngress().endLoadBalancer().endStatus().build());
        k.network().v1().ingresses().inNamespace(ns).resource(ingress("shop", "web")).create();

        RecordingSink sink = new RecordingSink();
        sink.statuses = s -> s.ingresses().stream().map(i -> new ObjectStatus(
                new ObjectRef("Ingress", ns, i.getMetadata().getName()), List.of(), List.of())).toList();
        start(kube, options(ns).withWatchNamespaces(Set.of(ns)).withPublishService(ns + "/pier"), sink);

        awaitTrue(() -> lbOf(k, ns, "shop").stream().anyMatch(l -> "198.19.255.20".equals(l.getIp())), "status copied from the Service");
    }

    @Test
    void two_replicas_elect_one_writer_and_the_other_takes_over(KubeApiServer kube) throws Exception {
        KubernetesClient k = kube.client();
        String ns = namespace(k, "elect");
        k.network().v1().ingresses().inNamespace(ns).resource(ingress("shop", "web")).create();

        // Each replica publishes a different address, so the Ingress status shows who wrote it.
        RecordingSink sinkA = new RecordingSink();
        RecordingSink sinkB = new RecordingSink();
        sinkA.statuses = sinkB.statuses = s -> s.ingresses().stream().map(i -> new ObjectStatus(
                new ObjectRef("Ingress", ns, i.getMetadata().getName()), List.of(), List.of())).toList();
        String lease = "lease-" + ns;
        KubeSourceOptions base = options(ns).withWatchNamespaces(Set.of(ns))
                .withLease(lease, Duration.ofSeconds(6), Duration.ofSeconds(4), Duration.ofMillis(500));
        KubeSource a = start(kube, withIdentity(base, "replica-a").withPublishAddress("198.19.255.31"), sinkA);
        KubeSource b = start(kube, withIdentity(base, "replica-b").withPublishAddress("198.19.255.32"), sinkB);

        awaitTrue(() -> a.isLeader() || b.isLeader(), "one replica leads");
        KubeSource leader = a.isLeader() ? a : b;
        KubeSource follower = leader == a ? b : a;
        String leaderIp = leader == a ? "198.19.255.31" : "198.19.255.32";
        String followerIp = leader == a ? "198.19.255.32" : "198.19.255.31";
        assertThat(follower.isLeader()).isFalse();
        awaitTrue(() -> ips(k, ns).equals(List.of(leaderIp)), "the leader writes status");

        // Both replicas see a change and translate it; still only the leader's address is written.
        k.network().v1().ingresses().inNamespace(ns).withName("shop")
                .edit(i -> new IngressBuilder(i).editMetadata().addToAnnotations("rev", "2").endMetadata().build());
        sinkA.awaitSnapshot(s -> s.ingresses().stream().anyMatch(i -> hasAnnotation(i, "rev")));
        sinkB.awaitSnapshot(s -> s.ingresses().stream().anyMatch(i -> hasAnnotation(i, "rev")));
        assertThat(ips(k, ns)).containsExactly(leaderIp);
        assertThat(k.leases().inNamespace(ns).withName(lease).get().getSpec().getHolderIdentity())
                .isEqualTo(leader == a ? "replica-a" : "replica-b");

        leader.close();
        awaitTrue(follower::isLeader, "the other replica takes over");
        awaitTrue(() -> ips(k, ns).equals(List.of(followerIp)), "the new leader writes status");
    }

    /**
     * Defect: the "kubernetes" source error was set by a failed rebuild and never cleared. Now the
     * failed rebuild is reported, tried again with backoff, and the error goes with the next good one.
     */
    @Test
    void a_failed_rebuild_is_reported_retried_and_cleared_by_the_next_good_one(KubeApiServer kube) throws Exception {
        KubernetesClient k = kube.client();
        String ns = namespace(k, "retry");
        k.network().v1().ingresses().inNamespace(ns).resource(ingress("shop", "web")).create();
        RecordingSink sink = new RecordingSink();
        sink.failures.set(1);
        start(kube, options(ns).withWatchNamespaces(Set.of(ns)), sink);

        assertThat(sink.awaitError(e -> e.startsWith(KubeSource.SOURCE + ": "))).contains("translation bug");
        // No event comes: the retry alone brings the snapshot, and clears the error.
        sink.awaitSnapshot(s -> names(s.ingresses()).contains("shop"));
        assertThat(sink.awaitError(e -> true)).isEqualTo(KubeSource.SOURCE + ": null");
    }

    /**
     * Defect: status writes (a GET, a PATCH per object, an Event per problem) ran on the rebuild
     * thread, so a slow API server held up route updates. Now they run on the status thread, which
     * keeps only the latest wanted status per object.
     */
    @Test
    void a_slow_status_write_holds_up_no_route_update_and_only_the_latest_status_is_written(KubeApiServer kube) throws Exception {
        KubernetesClient k = kube.client();
        String ns = namespace(k, "slowstatus");
        k.services().inNamespace(ns).resource(service("web")).create();
        k.discovery().v1().endpointSlices().inNamespace(ns).resource(slice("web-1", "web", "198.19.255.50")).create();
        k.network().v1().ingresses().inNamespace(ns).resource(ingress("shop", "web")).create();
        RecordingSink sink = new RecordingSink();
        // "Translation" reports the Ingress's rev annotation as its problem, so a status shows which snapshot it is from.
        sink.statuses = s -> s.ingresses().stream().map(i -> {
            ObjectRef ref = new ObjectRef("Ingress", ns, i.getMetadata().getName());
            String rev = i.getMetadata().getAnnotations() == null ? "0" : i.getMetadata().getAnnotations().getOrDefault("rev", "0");
            return new ObjectStatus(ref, List.of(), List.of(new Problem(ref, "", null, "Rev", rev)));
        }).toList();
        java.util.concurrent.CountDownLatch slow = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.LinkedBlockingQueue<List<String>> written = new java.util.concurrent.LinkedBlockingQueue<>();
        StatusUpdater.Target target = (wanted, gone) -> {
            written.add(wanted.stream().map(st -> st.problems().get(0).message()).toList());
            try {
                slow.await(); // an API server that takes its time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        KubeSource source = start(kube, options(ns).withWatchNamespaces(Set.of(ns)), sink, target);
        awaitTrue(source::isLeader, "the only replica leads");
        assertThat(written.poll(RecordingSink.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                .as("the first status write, now hanging").containsExactly("0");

        for (String rev : List.of("1", "2", "3")) {
            k.network().v1().ingresses().inNamespace(ns).withName("shop")
                    .edit(i -> new IngressBuilder(i).editMetadata().addToAnnotations("rev", rev).endMetadata().build());
            sink.awaitSnapshot(s -> s.ingresses().stream().anyMatch(i -> rev.equals(i.getMetadata().getAnnotations().get("rev"))));
        }
        // The rebuild that took rev 3 offers its statuses after the sink saw its snapshot. An endpoint-only
        // change is the next batch on the same thread and offers none: once it reaches the sink, every offer is in.
        k.discovery().v1().endpointSlices().inNamespace(ns).withName("web-1")
                .edit(x -> slice("web-1", "web", "198.19.255.50", "198.19.255.51"));
        sink.awaitEndpoints(m -> m.containsKey(new ServiceKey(ns, "web", 80)));
        assertThat(written).as("nothing more written while the first write hangs").isEmpty();

        slow.countDown();
        assertThat(written.poll(RecordingSink.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                .as("the next write carries the latest status only").containsExactly("3");
        // And that was all: the write after it is the next new status, with no older or repeated one between.
        k.network().v1().ingresses().inNamespace(ns).withName("shop")
                .edit(i -> new IngressBuilder(i).editMetadata().addToAnnotations("rev", "4").endMetadata().build());
        assertThat(written.poll(RecordingSink.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                .as("revisions 1 and 2 are never written, nor 3 twice").containsExactly("4");
    }

    // --- helpers ---

    private KubeSource start(KubeApiServer kube, KubeSourceOptions options, RecordingSink sink) {
        return start(kube, options, sink, null);
    }

    private KubeSource start(KubeApiServer kube, KubeSourceOptions options, RecordingSink sink, StatusUpdater.Target target) {
        KubernetesClient client = kube.newAdminClient();
        clients.add(client);
        KubeSource source = new KubeSource(client, options, sink, target);
        sources.add(source);
        source.start();
        return source;
    }

    static KubeSourceOptions options(String leaseNamespace) {
        KubeSourceOptions o = KubeSourceOptions.defaults(leaseNamespace, "test-" + SEQ.incrementAndGet());
        return o.withLease("pier-" + leaseNamespace, Duration.ofSeconds(6), Duration.ofSeconds(4), Duration.ofMillis(500));
    }

    static KubeSourceOptions withIdentity(KubeSourceOptions o, String identity) {
        return new KubeSourceOptions(o.watchNamespaces(), o.translate(), o.publishService(), o.publishAddress(),
                o.leaseNamespace(), o.leaseName(), identity, o.leaseDuration(), o.renewDeadline(), o.retryPeriod(),
                o.holdOff(), o.maxHoldOff());
    }

    static String namespace(KubernetesClient k, String prefix) {
        String name = prefix + "-" + SEQ.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 100000, 36);
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        return name;
    }

    static Service service(String name) {
        return new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(80).withNewTargetPort(8080).endPort().endSpec()
                .build();
    }

    static EndpointSlice slice(String name, String service, String... addresses) {
        var b = new EndpointSliceBuilder()
                .withNewMetadata().withName(name).addToLabels(dev.pier.translate.ServiceEndpoints.SERVICE_NAME_LABEL, service).endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
        for (String a : addresses) {
            b.addNewEndpoint().withAddresses(a).withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        return b.build();
    }

    static Ingress ingress(String name, String service) {
        return new IngressBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withIngressClassName("pier")
                .addNewRule().withHost(name + ".pier.test").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                .withNewBackend().withNewService().withName(service).withNewPort().withNumber(80).endPort().endService().endBackend()
                .endPath().endHttp().endRule().endSpec().build();
    }

    static io.fabric8.kubernetes.api.model.Secret tlsSecret(String name) {
        return new SecretBuilder().withNewMetadata().withName(name).endMetadata().withType("kubernetes.io/tls")
                .addToStringData("tls.crt", "").addToStringData("tls.key", "").build();
    }

    static List<String> names(List<? extends HasMetadata> objects) {
        return objects.stream().map(o -> o.getMetadata().getName()).toList();
    }

    static boolean hasAnnotation(HasMetadata o, String key) {
        return o.getMetadata().getAnnotations() != null && o.getMetadata().getAnnotations().containsKey(key);
    }

    static List<IngressLoadBalancerIngress> lbOf(KubernetesClient k, String ns, String name) {
        Ingress i = k.network().v1().ingresses().inNamespace(ns).withName(name).get();
        if (i.getStatus() == null || i.getStatus().getLoadBalancer() == null || i.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return i.getStatus().getLoadBalancer().getIngress();
    }

    static List<String> ips(KubernetesClient k, String ns) {
        return lbOf(k, ns, "shop").stream().map(IngressLoadBalancerIngress::getIp).toList();
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + RecordingSink.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + RecordingSink.WAIT + ": " + what);
            Thread.sleep(100);
        }
    }
}
