package dev.pier.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.testing.TestCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Pier as users run it, in a cluster that runs pods: {@code helm install} of charts/pier with the
 * image built from this checkout, a backend Deployment behind an Ingress and a GatewayRoute,
 * requests from outside the cluster through the node, status written by the elected replica,
 * rollouts of Pier and of the backend under steady load without one failed request, the
 * ServiceAccount refused what Pier does not need, {@code helm upgrade} and {@code helm uninstall}.
 * One scenario, run in order against each cluster provider (a subclass gives {@link #cluster}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ClusterScenario {
    static final String RELEASE = "pier";
    static final String SYSTEM = "pier-system";
    static final String APP = "e2e-app";
    static final int NODE_PORT = 30080;
    static final String INGRESS_HOST = "ingress.e2e.test";
    static final String ROUTE_HOST = "route.e2e.test";
    static final String SERVICE_ACCOUNT = "system:serviceaccount:" + SYSTEM + ":" + RELEASE;
    /** Concurrent keep-alive connections of the steady load during rollouts. */
    static final int LOAD_CONNECTIONS = 4;
    static final ResourceDefinitionContext GATEWAY_ROUTES = new ResourceDefinitionContext.Builder()
            .withGroup("pier.dev").withVersion("v1alpha1").withKind("GatewayRoute").withPlural("gatewayroutes")
            .withNamespaced(true).build();

    protected TestCluster cluster;
    protected Path kubectl;
    /** Set by a subclass that cannot start its cluster here: every step is then reported skipped with it. */
    protected String skipReason;
    private final Vertx vertx = Vertx.vertx();
    private final List<String> figures = new ArrayList<>();

    @BeforeEach
    void skipWithoutACluster() {
        if (skipReason != null) Assumptions.abort(skipReason);
    }

    @AfterAll
    void stopEverything() {
        figures.forEach(f -> System.out.println("FIGURE " + f));
        vertx.close();
        if (cluster != null) cluster.close();
    }

    // ---- the scenario -----------------------------------------------------------------------

    @Test
    @Order(1)
    void helmInstallRunsPierFromTheLocalImageLockedDown() throws Exception {
        String out = helm("install", RELEASE, "charts/pier", "--namespace", SYSTEM, "--create-namespace",
                "--set", "image.repository=" + cluster.pierImageRepository(), "--set", "image.tag=" + cluster.pierImageTag(),
                "--set", "image.pullPolicy=Never", "--set", "service.nodePorts.http=" + NODE_PORT);
        assertThat(out).contains("STATUS: deployed").contains("rollout status deployment/" + RELEASE);
        kubectlOk("rollout", "status", "deployment/" + RELEASE, "-n", SYSTEM, "--timeout=180s");
        List<Pod> pods = pierPods();
        assertThat(pods).hasSize(2).allSatisfy(p -> {
            var container = p.getSpec().getContainers().get(0);
            assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(p.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(65532L);
            assertThat(p.getStatus().getContainerStatuses().get(0).getReady()).isTrue();
            assertThat(p.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
        });
        // Nothing in Pier's logs about a path it could not write.
        for (Pod p : pods) {
            assertThat(kubectlOk("logs", "-n", SYSTEM, p.getMetadata().getName())).doesNotContain("Unable to create")
                    .contains("serving on");
        }
        publishLoadBalancerAddress();
    }

    @Test
    @Order(2)
    void requestsFromOutsideReachTheBackendPodsThroughIngressAndGatewayRoute() throws Exception {
        applyBackend();
        kubectlOk("rollout", "status", "deployment/web", "-n", APP, "--timeout=120s");
        Set<String> backendPods = podNames(APP, "app=web");
        assertThat(backendPods).hasSize(2);
        for (String host : List.of(INGRESS_HOST, ROUTE_HOST)) {
            await(() -> get(host).startsWith("200 backend "), "a 200 from a backend pod for " + host);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 40 && !seen.equals(backendPods); i++) {
                String answer = get(host);
                assertThat(answer).startsWith("200 backend ");
                seen.add(answer.substring("200 backend ".length()));
            }
            assertThat(seen).as("both backend pods answer for %s", host).isEqualTo(backendPods);
        }
        assertThat(get("unknown.e2e.test")).startsWith("404");
    }

    @Test
    @Order(3)
    void statusIsWrittenByTheElectedReplica() throws Exception {
        KubernetesClient admin = cluster.client();
        Set<String> pierPods = podNames(SYSTEM, "app.kubernetes.io/instance=" + RELEASE);
        await(() -> {
            Lease lease = admin.leases().inNamespace(SYSTEM).withName(RELEASE + "-leader").get();
            return lease != null && pierPods.contains(lease.getSpec().getHolderIdentity());
        }, "a Pier pod holding the Lease " + RELEASE + "-leader");
        await(() -> {
            Ingress ingress = admin.network().v1().ingresses().inNamespace(APP).withName("web").get();
            var lb = ingress.getStatus() == null ? null : ingress.getStatus().getLoadBalancer();
            return lb != null && lb.getIngress() != null && !lb.getIngress().isEmpty()
                    && cluster.nodeAddress().equals(lb.getIngress().get(0).getIp());
        }, "Ingress status.loadBalancer copied from the Service");
        await(() -> {
            GenericKubernetesResource route = admin.genericKubernetesResources(GATEWAY_ROUTES).inNamespace(APP).withName("web").get();
            return conditionTrue(route, "Accepted") && conditionTrue(route, "ResolvedRefs");
        }, "GatewayRoute conditions Accepted and ResolvedRefs");
    }

    @Test
    @Order(4)
    void theServiceAccountIsRefusedWhatPierDoesNotNeed() throws Exception {
        for (String[] allowed : new String[][] {
                {"list", "ingresses.networking.k8s.io", "-A"}, {"watch", "endpointslices.discovery.k8s.io", "-A"},
                {"patch", "ingresses.networking.k8s.io", "--subresource=status", "-n", APP},
                {"list", "gatewayroutes.pier.dev", "-A"}, {"create", "events.events.k8s.io", "-n", APP},
                {"list", "secrets", "-A"}, {"get", "services", "-n", SYSTEM},
                // ACME's certificate Secrets; the admission policy refuses writes to a Secret without Pier's label
                // (AcmeClusterTest, HelmChartTest). get adds nothing to list, which Pier has for TLS anyway.
                {"get", "secrets", "-n", APP}, {"create", "secrets", "-n", APP}, {"update", "secrets", "-n", APP},
                {"patch", "leases.coordination.k8s.io/" + RELEASE + "-leader", "-n", SYSTEM}}) {
            assertThat(canI(allowed)).as("may %s", String.join(" ", allowed)).isEqualTo("yes");
        }
        for (String[] refused : new String[][] {
                {"create", "ingresses.networking.k8s.io", "-n", APP}, {"patch", "ingresses.networking.k8s.io", "-n", APP},
                {"delete", "secrets", "-n", APP}, {"patch", "secrets", "-n", APP},
                {"update", "services", "-n", APP}, {"delete", "pods", "-n", APP},
                {"create", "pods/exec", "-n", APP}, {"create", "deployments.apps", "-n", SYSTEM}, {"list", "nodes"},
                {"patch", "leases.coordination.k8s.io/kube-scheduler", "-n", "kube-system"},
                {"patch", "leases.coordination.k8s.io/other", "-n", SYSTEM}, {"delete", "gatewayroutes.pier.dev", "-n", APP},
                {"delete", "leases.coordination.k8s.io/" + RELEASE + "-leader", "-n", SYSTEM},
                {"create", "leases.coordination.k8s.io", "-n", SYSTEM},
                {"create", "clusterrolebindings.rbac.authorization.k8s.io"}, {"*", "*"}}) {
            assertThat(canI(refused)).as("may not %s", String.join(" ", refused)).isEqualTo("no");
        }
    }

    @Test
    @Order(5)
    void rolloutRestartOfPierUnderSteadyLoadFailsNoRequest() throws Exception {
        Set<String> before = podNames(SYSTEM, "app.kubernetes.io/instance=" + RELEASE);
        String summary = underLoad(() -> {
            kubectlOk("rollout", "restart", "deployment/" + RELEASE, "-n", SYSTEM);
            kubectlOk("rollout", "status", "deployment/" + RELEASE, "-n", SYSTEM, "--timeout=300s");
            // Rollout status is done when the new pods are ready; the old ones are still draining.
            await(() -> podNamesUnchecked(SYSTEM, "app.kubernetes.io/instance=" + RELEASE).stream().noneMatch(before::contains),
                    "the old Pier pods gone", Duration.ofSeconds(120));
        }, load -> { });
        figures.add(cluster.description() + ": kubectl rollout restart of Pier (" + before.size() + " replicas): " + summary);
        assertThat(podNames(SYSTEM, "app.kubernetes.io/instance=" + RELEASE)).hasSize(2).doesNotContainAnyElementsOf(before);
    }

    @Test
    @Order(6)
    void rolloutOfTheBackendUnderSteadyLoadFailsNoRequest() throws Exception {
        Set<String> before = podNames(APP, "app=web");
        Set<String> after = new HashSet<>();
        String summary = underLoad(() -> {
            kubectlOk("rollout", "restart", "deployment/web", "-n", APP);
            kubectlOk("rollout", "status", "deployment/web", "-n", APP, "--timeout=300s");
            await(() -> podNamesUnchecked(APP, "app=web").stream().noneMatch(before::contains), "the old backend pods gone",
                    Duration.ofSeconds(120));
            after.addAll(podNames(APP, "app=web"));
        }, load -> assertThat(load.answeredBy()).as("answers came from old and new backend pods")
                .containsAll(before).containsAnyElementsOf(after));
        figures.add(cluster.description() + ": kubectl rollout restart of the backend (2 replicas, preStop sleep 5 s): " + summary);
    }

    @Test
    @Order(7)
    void helmUpgradeToWatchedNamespacesSwapsTheRbacAndBackLeavesNoRole() throws Exception {
        KubernetesClient admin = cluster.client();
        helm("upgrade", RELEASE, "charts/pier", "--namespace", SYSTEM, "--reuse-values", "--set", "watchNamespaces={" + APP + "}");
        kubectlOk("rollout", "status", "deployment/" + RELEASE, "-n", SYSTEM, "--timeout=300s");
        String roleName = RELEASE + "-" + SYSTEM;
        assertThat(admin.rbac().roles().inNamespace(APP).withName(roleName).get()).as("a Role in the watched namespace").isNotNull();
        assertThat(canI("list", "ingresses.networking.k8s.io", "-n", APP)).isEqualTo("yes");
        assertThat(canI("list", "ingresses.networking.k8s.io", "-n", "default")).as("outside the watched namespaces").isEqualTo("no");
        assertThat(canI("list", "secrets", "-n", "kube-system")).isEqualTo("no");
        // Namespaced rights are enough: the new pods serve the routes of the watched namespace.
        await(() -> get(INGRESS_HOST).startsWith("200 backend "), "traffic with namespaced RBAC");
        await(() -> get(ROUTE_HOST).startsWith("200 backend "), "GatewayRoute traffic with namespaced RBAC");

        helm("upgrade", RELEASE, "charts/pier", "--namespace", SYSTEM, "--reuse-values", "--set-json", "watchNamespaces=[]");
        kubectlOk("rollout", "status", "deployment/" + RELEASE, "-n", SYSTEM, "--timeout=300s");
        assertThat(admin.rbac().roles().inNamespace(APP).withName(roleName).get()).as("the Role is gone again").isNull();
        assertThat(canI("list", "ingresses.networking.k8s.io", "-n", "default")).isEqualTo("yes");
        await(() -> get(INGRESS_HOST).startsWith("200 backend "), "traffic after upgrading back");
    }

    @Test
    @Order(8)
    void helmUninstallLeavesNothingOfTheReleaseBehind() throws Exception {
        KubernetesClient admin = cluster.client();
        helm("uninstall", RELEASE, "--namespace", SYSTEM, "--wait", "--timeout", "3m");
        String selector = "app.kubernetes.io/instance=" + RELEASE;
        await(() -> podNamesUnchecked(SYSTEM, selector).isEmpty(), "Pier's pods gone", Duration.ofSeconds(120));
        List<String> left = new ArrayList<>();
        for (String kind : List.of("deployments", "replicasets", "services", "serviceaccounts", "roles", "rolebindings",
                "poddisruptionbudgets", "configmaps", "secrets", "endpointslices")) {
            String out = kubectlOk("get", kind, "-A", "-l", selector, "-o", "name");
            if (!out.isBlank()) left.add(out.strip());
        }
        for (String kind : List.of("clusterroles", "clusterrolebindings", "ingressclasses")) {
            String out = kubectlOk("get", kind, "-l", selector, "-o", "name");
            if (!out.isBlank()) left.add(out.strip());
        }
        assertThat(left).as("objects of the release left after helm uninstall").isEmpty();
        assertThat(admin.network().v1().ingressClasses().withName("pier").get()).isNull();
        // Helm never deletes what a chart's crds/ installed (deleting it would delete every GatewayRoute).
        assertThat(admin.apiextensions().v1().customResourceDefinitions().withName("gatewayroutes.pier.dev").get()).isNotNull();
        // The leader-election Lease is the chart's: it goes with the release.
        assertThat(admin.leases().inNamespace(SYSTEM).list().getItems()).as("Leases left after helm uninstall").isEmpty();
        kubectlOk("delete", "namespace", SYSTEM, "--timeout=120s");
        assertThat(admin.namespaces().withName(SYSTEM).get()).as("the namespace deletes cleanly").isNull();
    }

    // ---- steps ------------------------------------------------------------------------------

    interface Step {
        void run() throws Exception;
    }

    interface LoadCheck {
        void check(SteadyLoad load) throws Exception;
    }

    /** Runs {@code step} under steady load through the Ingress; asserts not one request failed. */
    private String underLoad(Step step, LoadCheck check) throws Exception {
        try (SteadyLoad load = SteadyLoad.start(vertx, cluster.nodePortUri(NODE_PORT), INGRESS_HOST, LOAD_CONNECTIONS,
                Duration.ofMinutes(10))) {
            await(() -> load.succeeded() >= 200, "the load running");
            step.run();
            Thread.sleep(2_000);
            load.stop();
            String summary = load.summary();
            System.out.println(getClass().getSimpleName() + ": " + summary);
            assertThat(load.failed()).as("failed requests: %s", summary).isZero();
            assertThat(load.succeeded()).isGreaterThan(200);
            check.check(load);
            return summary;
        }
    }

    /** The chart's Service is a LoadBalancer; where no controller fills its status, do what MetalLB would: the node's address. */
    private void publishLoadBalancerAddress() throws InterruptedException {
        KubernetesClient admin = cluster.client();
        Thread.sleep(2_000);
        Service service = admin.services().inNamespace(SYSTEM).withName(RELEASE).get();
        var ingress = service.getStatus() == null || service.getStatus().getLoadBalancer() == null ? null
                : service.getStatus().getLoadBalancer().getIngress();
        if (ingress != null && !ingress.isEmpty()) {
            assertThat(ingress.get(0).getIp()).isEqualTo(cluster.nodeAddress());
            return;
        }
        service.getStatus().getLoadBalancer().setIngress(List.of(new LoadBalancerIngressBuilder().withIp(cluster.nodeAddress()).build()));
        admin.services().inNamespace(SYSTEM).resource(service).updateStatus();
    }

    private void applyBackend() throws Exception {
        String manifests = """
                apiVersion: v1
                kind: Namespace
                metadata: {name: %1$s}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: %1$s}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  strategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      terminationGracePeriodSeconds: 20
                      containers:
                      - name: web
                        image: %2$s
                        imagePullPolicy: Never
                        ports: [{name: http, containerPort: 8080}]
                        # Generous timeouts: a busy 2-core test machine must not make both backends flap.
                        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 3}
                        # busybox httpd stops at once on SIGTERM: keep serving while endpoints catch up.
                        lifecycle: {preStop: {sleep: {seconds: 5}}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: %1$s}
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: http}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web, namespace: %1$s}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: %3$s
                    http:
                      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]
                ---
                apiVersion: pier.dev/v1alpha1
                kind: GatewayRoute
                metadata: {name: web, namespace: %1$s}
                spec:
                  ingressClassName: pier
                  hostnames: [%4$s]
                  rules:
                  - backendRefs: [{name: web, port: 80}]
                """.formatted(APP, cluster.backendImage(), INGRESS_HOST, ROUTE_HOST);
        Path file = Files.createTempFile("e2e-backend-", ".yaml");
        try {
            Files.writeString(file, manifests);
            kubectlOk("apply", "-f", file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private String get(String host) {
        URI target = cluster.nodePortUri(NODE_PORT);
        HttpClient client = vertx.createHttpClient();
        try {
            return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(target.getHost()).setPort(target.getPort())
                            .setURI("/").putHeader("host", host).setTimeout(5_000))
                    .compose(r -> r.send().compose(a -> a.body().map(b -> a.statusCode() + " " + b.toString().strip())))
                    .await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "error " + e;
        } finally {
            client.close();
        }
    }

    private List<Pod> pierPods() {
        return cluster.client().pods().inNamespace(SYSTEM).withLabel("app.kubernetes.io/instance", RELEASE).list().getItems();
    }

    private Set<String> podNames(String namespace, String selector) throws Exception {
        return podNamesUnchecked(namespace, selector);
    }

    /** Pods of the selector, terminating ones included (they are still draining). */
    private Set<String> podNamesUnchecked(String namespace, String selector) {
        String[] kv = selector.split("=", 2);
        return cluster.client().pods().inNamespace(namespace).withLabel(kv[0], kv[1]).list().getItems().stream()
                .map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    }

    /** Whether the object has condition {@code type} True for its current generation. */
    private static boolean conditionTrue(GenericKubernetesResource resource, String type) {
        if (resource == null || !(resource.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) return false;
        if (!(status.get("conditions") instanceof List<?> conditions)) return false;
        Long generation = resource.getMetadata().getGeneration();
        return conditions.stream().map(c -> (Map<?, ?>) c).anyMatch(c -> type.equals(c.get("type")) && "True".equals(c.get("status"))
                && c.get("observedGeneration") instanceof Number n && generation != null && n.longValue() == generation);
    }

    private String canI(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("auth", "can-i"));
        command.addAll(List.of(args));
        command.add("--as=" + SERVICE_ACCOUNT);
        // can-i exits 1 for "no"; the answer is its last line (warnings may come first).
        String[] lines = kubectl(command.toArray(String[]::new)).output().strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    record Run(int exitCode, String output) {}

    private Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(400, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            Assertions.fail(command + " did not finish");
        }
        return new Run(p.exitValue(), out);
    }

    private Run kubectl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig=" + cluster.kubeconfig()));
        command.addAll(List.of(args));
        return run(command);
    }

    private String kubectlOk(String... args) throws IOException, InterruptedException {
        Run r = kubectl(args);
        assertThat(r.exitCode()).as("kubectl %s\n%s", String.join(" ", args), r.output()).isZero();
        return r.output();
    }

    private String helm(String... args) throws IOException, InterruptedException {
        Path helm = HelmChartTest.helm().orElseThrow(() -> new IllegalStateException("helm not found; run scripts/helm-tool.sh"));
        List<String> command = new ArrayList<>(List.of(helm.toString(), "--kubeconfig", cluster.kubeconfig().toString()));
        command.addAll(List.of(args));
        Run r = run(command);
        assertThat(r.exitCode()).as("helm %s\n%s", String.join(" ", args), r.output()).isZero();
        return r.output();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, what, Duration.ofSeconds(90));
    }

    static void await(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean met;
            try {
                met = condition.getAsBoolean();
            } catch (RuntimeException e) {
                met = false;
            }
            if (met) return;
            if (System.nanoTime() > deadline) Assertions.fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            Thread.sleep(250);
        }
    }
}
