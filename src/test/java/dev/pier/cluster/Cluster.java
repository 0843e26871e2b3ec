package dev.pier.cluster;

import dev.pier.PierServer;
import dev.pier.source.kube.KubeSourceOptions;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.TestNetns;
import dev.pier.translate.TranslateOptions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One cluster-mode test's world: a fresh namespace on the shared test API server, backends on
 * a network namespace's host address (the API server refuses loopback in EndpointSlices), Pier
 * servers started against the API server, and a client that talks to Pier's proxy port on
 * 127.0.0.1. Closing it stops the Pier servers, the backends and the network namespace (the
 * Kubernetes namespace stays: without a controller-manager it would never finish deleting).
 */
public final class Cluster implements AutoCloseable {
    /** How long any one expected change may take on a loaded 2-core machine. */
    public static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger SEQ = new AtomicInteger();
    public static final ResourceDefinitionContext GATEWAY_ROUTES = new ResourceDefinitionContext.Builder()
            .withGroup("pier.dev").withVersion("v1alpha1").withKind("GatewayRoute").withPlural("gatewayroutes")
            .withNamespaced(true).build();

    public final KubeApiServer kube;
    public final KubernetesClient admin;
    public final String ns;
    public final TestNetns netns;
    public final Vertx vertx;
    private final HttpClient http;
    private final List<PierServer> piers = new ArrayList<>();
    private final Path tmp;

    public record Reply(int status, String body) {}

    /** A test backend: answers {@code "<name> saw <path>"} on {@link #port()} of the network namespace's host address. */
    public record Backend(String name, String address, int port) {}

    private Cluster(KubeApiServer kube, String ns, TestNetns netns) throws Exception {
        this.kube = kube;
        this.admin = kube.client();
        this.ns = ns;
        this.netns = netns;
        this.vertx = Vertx.vertx();
        // Kept-alive connections, as real clients use them.
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAliveTimeout(2));
        this.tmp = Files.createTempDirectory("pier-cluster-");
    }

    /** A fresh namespace {@code prefix-N-xxxx} and a network namespace for backends. */
    public static Cluster create(KubeApiServer kube, String prefix) throws Exception {
        String ns = prefix + "-" + SEQ.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
        kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        TestNetns netns = TestNetns.create();
        try {
            return new Cluster(kube, ns, netns);
        } catch (Exception e) {
            netns.close();
            throw e;
        }
    }

    // --- backends and the objects that point at them ---

    public Backend backend(String name) throws Exception {
        HttpServer server = vertx.createHttpServer()
                .requestHandler(r -> r.response().putHeader("content-type", "text/plain").end(name + " saw " + r.path()))
                .listen(0, netns.hostAddress()).await(10, TimeUnit.SECONDS);
        return new Backend(name, netns.hostAddress(), server.actualPort());
    }

    public static Service service(String name) {
        return new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(80).withNewTargetPort("http").endPort().endSpec()
                .build();
    }

    /** An EndpointSlice of Service {@code service}, port "http", with {@code backend} as its one ready endpoint. */
    public static EndpointSlice slice(String name, String service, Backend backend) {
        return new EndpointSliceBuilder()
                .withNewMetadata().withName(name).addToLabels("kubernetes.io/service-name", service).endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(backend.port()).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses(backend.address()).withNewConditions().withReady(true).endConditions().endEndpoint()
                .build();
    }

    /** Service {@code name} with one EndpointSlice naming {@code backend}, created with fabric8. */
    public void serviceFor(String name, Backend backend) {
        admin.services().inNamespace(ns).resource(service(name)).create();
        admin.discovery().v1().endpointSlices().inNamespace(ns).resource(slice(name + "-1", name, backend)).create();
    }

    /** The host name a test uses for {@code name}: unique per namespace, so routes of other tests never collide. */
    public String host(String name) {
        return name + "." + ns + ".test";
    }

    /** An Ingress of class pier: {@code host(name)} + a Prefix path to port 80 of {@code service}. */
    public Ingress ingress(String name, String path, String service) {
        return new IngressBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withIngressClassName("pier")
                .addNewRule().withHost(host(name)).withNewHttp().addNewPath().withPath(path).withPathType("Prefix")
                .withNewBackend().withNewService().withName(service).withNewPort().withNumber(80).endPort().endService().endBackend()
                .endPath().endHttp().endRule().endSpec().build();
    }

    public String ingressYaml(String name, String path, String service) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s, namespace: %s}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: %s
                    http:
                      paths:
                      - {path: %s, pathType: Prefix, backend: {service: {name: %s, port: {number: 80}}}}
                """.formatted(name, ns, host(name), path, service);
    }

    public String serviceYaml(String name, Backend backend) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: %2$s}
                spec:
                  ports: [{name: http, port: 80, targetPort: http}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %1$s-1, namespace: %2$s, labels: {kubernetes.io/service-name: %1$s}}
                addressType: IPv4
                ports: [{name: http, port: %3$d, protocol: TCP}]
                endpoints: [{addresses: ["%4$s"], conditions: {ready: true}}]
                """.formatted(name, ns, backend.port(), backend.address());
    }

    /** {@code kubectl apply -f} of a temporary file holding {@code yaml}; fails the test on a non-zero exit. */
    public String kubectlApply(String yaml) throws Exception {
        Path file = Files.createTempFile(tmp, "apply-", ".yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return kubectlOk("apply", "-f", file.toString());
    }

    public String kubectlOk(String... args) throws Exception {
        KubeApiServer.CommandResult r = kube.kubectl(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }

    // --- Pier ---

    /** Options for a Pier watching this test's namespace, with a short Lease there so take-overs are quick. */
    public KubeSourceOptions options(String identity) {
        return KubeSourceOptions.defaults(ns, identity).withWatchNamespaces(Set.of(ns))
                .withLease("pier-leader", Duration.ofSeconds(6), Duration.ofSeconds(4), Duration.ofMillis(500));
    }

    /** Starts a Pier on free 127.0.0.1 ports with its own admin client (Pier closes the client it is given). */
    public PierServer startPier(KubeSourceOptions options) throws Exception {
        return startPier(kube.newAdminClient(), options);
    }

    public PierServer startPier(KubernetesClient client, KubeSourceOptions options) throws Exception {
        return startPier(client, options, new PierServer.Config(List.of(), "127.0.0.1", 0, 0, TranslateOptions.DEFAULTS, 2, 100));
    }

    /** With HTTPS on a free port too (the engine Pier picks), redirects naming port 443. */
    public PierServer startPierWithHttps(KubeSourceOptions options) throws Exception {
        return startPier(kube.newAdminClient(), options, new PierServer.Config(List.of(), "127.0.0.1", 0, 0,
                TranslateOptions.DEFAULTS, 2, 100).withHttps(0, 443, dev.pier.proxy.TlsEngine.AUTO));
    }

    /** With {@code config} (ports, HTTPS, ACME) as given; Pier closes {@code client} when it stops. */
    public PierServer startPier(KubernetesClient client, KubeSourceOptions options, PierServer.Config config) throws Exception {
        PierServer pier = PierServer.startWithKubernetes(config, client, options);
        piers.add(pier);
        return pier;
    }

    public void stopPier(PierServer pier) {
        piers.remove(pier);
        pier.close();
    }

    public Reply get(PierServer pier, String host, String path) throws Exception {
        return get(pier.httpPort(), host, path);
    }

    public Reply get(int port, String host, String path) throws Exception {
        return http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
                        .setURI(path).putHeader("host", host))
                // body() is registered in send()'s own callback, on the connection's event loop: chained from
                // the test thread instead, a fast answer's bytes could arrive before it and be lost.
                .compose(req -> req.send().compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString()))))
                .await(15, TimeUnit.SECONDS);
    }

    /** A POST of {@code body} with {@code contentType} to {@code host}{@code path} through Pier. */
    public Reply post(PierServer pier, String host, String path, String contentType, String body) throws Exception {
        return http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(pier.httpPort())
                        .setURI(path).putHeader("host", host).putHeader("content-type", contentType))
                .compose(req -> req.send(body).compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString()))))
                .await(15, TimeUnit.SECONDS);
    }

    public Reply admin(PierServer pier, String path) throws Exception {
        return get(pier.adminPort(), "localhost", path);
    }

    /** Polls Pier until a request to {@code host}/{@code path} is answered as {@code wanted}; fails with the last answer. */
    public Reply awaitReply(PierServer pier, String host, String path, Predicate<Reply> wanted, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Reply last = null;
        while (System.nanoTime() < deadline) {
            last = get(pier, host, path);
            if (wanted.test(last)) return last;
            Thread.sleep(50);
        }
        throw new AssertionError("not within " + WAIT + ": " + what + " (last answer: " + last + ")");
    }

    public Reply awaitBody(PierServer pier, String host, String path, String body) throws Exception {
        return awaitReply(pier, host, path, r -> r.status() == 200 && r.body().equals(body),
                "200 '" + body + "' for " + host + path);
    }

    public Reply awaitStatus(PierServer pier, String host, String path, int status) throws Exception {
        return awaitReply(pier, host, path, r -> r.status() == status, status + " for " + host + path);
    }

    /** {@code pier_table_swaps_total} from the admin port's /metrics. */
    public double swapsMetric(PierServer pier) throws Exception {
        Matcher m = Pattern.compile("(?m)^pier_table_swaps_total(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(admin(pier, "/metrics").body());
        if (!m.find()) throw new AssertionError("no pier_table_swaps_total in /metrics");
        return Double.parseDouble(m.group(1));
    }

    // --- reading what Pier wrote ---

    public List<IngressLoadBalancerIngress> loadBalancer(String ingress) {
        Ingress i = admin.network().v1().ingresses().inNamespace(ns).withName(ingress).get();
        if (i == null || i.getStatus() == null || i.getStatus().getLoadBalancer() == null
                || i.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return i.getStatus().getLoadBalancer().getIngress();
    }

    /** The addresses of an Ingress's status, as "ip" or "hostname" values. */
    public List<String> published(String ingress) {
        return loadBalancer(ingress).stream().map(l -> l.getIp() != null ? l.getIp() : l.getHostname()).sorted().toList();
    }

    public GenericKubernetesResource gatewayRoute(String name) {
        return admin.genericKubernetesResources(GATEWAY_ROUTES).inNamespace(ns).withName(name).get();
    }

    /** The condition {@code type} of GatewayRoute {@code name}, or null. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> condition(String name, String type) {
        GenericKubernetesResource route = gatewayRoute(name);
        if (route == null) return null;
        Object status = route.getAdditionalProperties().get("status");
        if (status instanceof Map<?, ?> s && s.get("conditions") instanceof List<?> list) {
            for (Object c : list) {
                if (c instanceof Map<?, ?> m && type.equals(m.get("type"))) return (Map<String, Object>) m;
            }
        }
        return null;
    }

    // --- waiting ---

    public static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, WAIT, what);
    }

    public static void await(BooleanSupplier condition, Duration wait, String what) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + wait + ": " + what);
            Thread.sleep(100);
        }
    }

    public static <T> T awaitValue(Supplier<T> value, Predicate<T> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = value.get();
        while (!wanted.test(last)) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT + ": " + what + " (last: " + last + ")");
            Thread.sleep(100);
            last = value.get();
        }
        return last;
    }

    // --- the GatewayRoute CRD ---

    /** Applies crds/ with the built kubectl (as users install it) and waits until the API server serves the kind. */
    public void installGatewayRouteCrd() throws Exception {
        kubectlOk("apply", "-f", Path.of("crds", "gatewayroutes.pier.dev-v1.yml").toString());
        kubectlOk("wait", "--for=condition=Established", "--timeout=60s", "crd/gatewayroutes.pier.dev");
        await(() -> {
            try (KubernetesClient fresh = kube.newAdminClient()) {
                return fresh.supports("pier.dev/v1alpha1", "GatewayRoute");
            }
        }, "GatewayRoute CRD served");
    }

    @Override
    public void close() throws Exception {
        for (PierServer pier : List.copyOf(piers)) pier.close();
        piers.clear();
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } finally {
            netns.close();
            try (var walk = Files.walk(tmp)) {
                walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
