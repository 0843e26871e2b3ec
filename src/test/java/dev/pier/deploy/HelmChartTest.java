package dev.pier.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.PierServer;
import dev.pier.source.kube.KubeSourceOptions;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import dev.pier.testing.TestNetns;
import dev.pier.translate.TranslateOptions;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart as a user installs it: `helm install` into a real API server, then Pier runs with
 * the token of the ServiceAccount the chart created (so with exactly the chart's RBAC), serves an
 * Ingress of the chart's IngressClass and writes its status. helm is built by scripts/helm-tool.sh.
 */
@ExtendWith(KubeApiServerExtension.class)
class HelmChartTest {

    static Optional<Path> helm() {
        for (String dir : new String[]{System.getenv("PIER_HELM_BIN"),
                System.getProperty("user.home") + "/.cache/pier/helm/v3.22.0/bin"}) {
            if (dir != null && Files.isExecutable(Path.of(dir, "helm"))) return Optional.of(Path.of(dir, "helm"));
        }
        return Optional.empty();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s\n%s", command, out).isZero();
        return out;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) Assertions.fail("timed out waiting for " + what);
            Thread.sleep(100);
        }
    }

    @Test
    void theNotesWarnWhenTheGracePeriodCannotCoverTheDrain(KubeApiServer kube) throws Exception {
        Path helm = requireHelm();
        String out = run(List.of(helm.toString(), "install", "pier-notes", "charts/pier", "--dry-run", "--namespace", "pier-notes",
                "--kubeconfig", kube.kubeconfig().toString(), "--set", "terminationGracePeriodSeconds=10"));
        assertThat(out).contains("NOTES:").contains("kubectl -n pier-notes rollout status deployment/pier-notes")
                .contains("WARNING: terminationGracePeriodSeconds (10) is shorter than drain.delaySeconds + drain.timeoutSeconds");
        assertThat(run(List.of(helm.toString(), "install", "pier-notes", "charts/pier", "--dry-run", "--namespace", "pier-notes",
                "--kubeconfig", kube.kubeconfig().toString()))).doesNotContain("WARNING");
    }

    private static Path requireHelm() {
        Optional<Path> helm = helm();
        if (helm.isEmpty()) {
            String reason = "helm not found (PIER_HELM_BIN or ~/.cache/pier/helm/v3.22.0/bin); run scripts/helm-tool.sh";
            if ("true".equals(System.getenv("PIER_REQUIRE_KUBE"))) Assertions.fail(reason);
            Assumptions.abort(reason);
        }
        return helm.get();
    }

    @Test
    void helmInstallGivesPierEverythingItNeedsAndNoMore(KubeApiServer kube) throws Exception {
        Optional<Path> helm = Optional.of(requireHelm());
        String id = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
        String release = "pier-chart-" + id;
        String system = "pier-system-" + id;
        String app = "chart-app-" + id;
        KubernetesClient admin = kube.client();

        String out = run(List.of(helm.get().toString(), "install", release, "charts/pier", "--namespace", system,
                "--create-namespace", "--kubeconfig", kube.kubeconfig().toString(),
                "--set", "ingressClass.name=" + release, "--set", "replicas=1"));
        assertThat(out).contains("STATUS: deployed");
        assertThat(admin.leases().inNamespace(system).withName(release + "-leader").get().getSpec().getHolderIdentity())
                .as("the chart installs the Lease empty: the replicas write the record").isNull();
        assertThat(admin.apps().deployments().inNamespace(system).withName(release).get().getSpec().getTemplate()
                .getSpec().getContainers().get(0).getArgs()).contains("--ingress-class=" + release);
        assertThat(admin.network().v1().ingressClasses().withName(release).get().getSpec().getController())
                .isEqualTo(TranslateOptions.CONTROLLER_NAME);
        assertThat(admin.apiextensions().v1().customResourceDefinitions().withName("gatewayroutes.pier.dev").get()).isNotNull();

        // The chart's ServiceAccount, as the pod would run: a bound token from the TokenRequest API.
        String token = kube.kubectl("create", "token", release, "-n", system).output().strip();
        assertThat(token).startsWith("ey");

        try (TestNetns netns = TestNetns.create()) {
            Vertx vertx = Vertx.vertx();
            try {
                HttpServer backend = vertx.createHttpServer().requestHandler(r -> r.response().end("chart backend " + r.path()))
                        .listen(0, netns.hostAddress()).await(10, TimeUnit.SECONDS);
                admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(app).endMetadata().build()).create();
                admin.services().inNamespace(app).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                        .withNewSpec().addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(backend.actualPort()))
                        .endPort().endSpec().build()).create();
                admin.discovery().v1().endpointSlices().inNamespace(app).resource(new EndpointSliceBuilder()
                        .withNewMetadata().withName("web-1").addToLabels("kubernetes.io/service-name", "web").endMetadata()
                        .withAddressType("IPv4").addNewPort().withName("http").withPort(backend.actualPort()).endPort()
                        .addNewEndpoint().withAddresses(netns.hostAddress()).withNewConditions().withReady(true).endConditions().endEndpoint()
                        .build()).create();
                admin.network().v1().ingresses().inNamespace(app).resource(new IngressBuilder().withNewMetadata().withName("web").endMetadata()
                        .withNewSpec().withIngressClassName(release).addNewRule().withHost("chart.example.com").withNewHttp()
                        .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName("web")
                        .withNewPort().withName("http").endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build()).create();

                KubeSourceOptions options = KubeSourceOptions.defaults(system, "chart-test")
                        .withLease(release + "-leader", Duration.ofSeconds(6), Duration.ofSeconds(4), Duration.ofMillis(500))
                        .withPublishAddress("203.0.113.10");
                PierServer.Config config = new PierServer.Config(List.of(), "127.0.0.1", 0, 0,
                        new TranslateOptions(release, TranslateOptions.CONTROLLER_NAME, false), 1, 100);
                try (PierServer pier = PierServer.startWithKubernetes(config, kube.newClient(token), options)) {
                    HttpClient client = vertx.createHttpClient();
                    List<String> seen = new ArrayList<>();
                    await(() -> {
                        try {
                            var reply = client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                                            .setPort(pier.httpPort()).setURI("/hello").putHeader("host", "chart.example.com"))
                                    .compose(r -> r.send().compose(a -> a.body().map(b -> a.statusCode() + " " + b)))
                                    .await(5, TimeUnit.SECONDS);
                            seen.add(reply);
                            return reply.equals("200 chart backend /hello");
                        } catch (Exception e) {
                            return false;
                        }
                    }, "a 200 through Pier for the chart's IngressClass");
                    await(() -> {
                        Ingress ingress = admin.network().v1().ingresses().inNamespace(app).withName("web").get();
                        var lb = ingress.getStatus() == null ? null : ingress.getStatus().getLoadBalancer();
                        return lb != null && lb.getIngress() != null && !lb.getIngress().isEmpty()
                                && "203.0.113.10".equals(lb.getIngress().get(0).getIp());
                    }, "Ingress status written with the chart's RBAC");
                    assertThat(admin.leases().inNamespace(system).withName(release + "-leader").get().getSpec().getHolderIdentity())
                            .as("the chart's Lease, taken with get and patch alone").isEqualTo("chart-test");
                }
                // The leader stopped and released the Lease; the Lease is the chart's and stays until uninstall.
                assertThat(admin.leases().inNamespace(system).withName(release + "-leader").get()).isNotNull();
            } finally {
                vertx.close().await(5, TimeUnit.SECONDS);
            }
        }

        // And no more: the chart's identity cannot change routing objects, delete Secrets, or write a Secret that is
        // not its own: RBAC lets it create Secrets (ACME), the chart's admission policy refuses one without Pier's label.
        try (KubernetesClient asPier = kube.newClient(token)) {
            Assertions.assertThrows(Exception.class, () -> asPier.network().v1().ingresses().inNamespace(app).withName("web").delete());
            Assertions.assertThrows(Exception.class, () -> asPier.services().inNamespace(app).resource(new ServiceBuilder()
                    .withNewMetadata().withName("sneaky").endMetadata().withNewSpec().addNewPort().withPort(1).endPort().endSpec().build()).create());
            Assertions.assertThrows(Exception.class, () -> asPier.secrets().inNamespace(app).withName("any").delete());
            // The API server loads admission policies asynchronously (an informer), so a write just after helm install can
            // come before the policy is in force: try until it is refused, removing what got through meanwhile.
            io.fabric8.kubernetes.client.KubernetesClientException refused = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (refused == null) {
                try {
                    asPier.secrets().inNamespace(app).resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
                            .withName("sneaky").endMetadata().addToStringData("k", "v").build()).create();
                    admin.secrets().inNamespace(app).withName("sneaky").delete();
                    if (System.nanoTime() > deadline) Assertions.fail("the chart's admission policy never refused a Secret without Pier's label");
                    Thread.sleep(200);
                } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    if (e.getCode() == 409) { // the one let through a moment ago is still being deleted
                        Thread.sleep(200);
                        continue;
                    }
                    refused = e;
                }
            }
            assertThat(refused.getCode()).isEqualTo(403);
            assertThat(refused.getMessage()).contains("app.kubernetes.io/managed-by=pier");
            Assertions.assertThrows(Exception.class, () -> asPier.leases().inNamespace(system).withName(release + "-leader").delete());
            Assertions.assertThrows(Exception.class, () -> asPier.leases().inNamespace(system).resource(new LeaseBuilder()
                    .withNewMetadata().withName("another").endMetadata().build()).create());
        }

        // helm uninstall removes the Lease with the rest: it is the chart's, not made by Pier at run time.
        run(List.of(helm.get().toString(), "uninstall", release, "--namespace", system, "--kubeconfig", kube.kubeconfig().toString()));
        assertThat(admin.leases().inNamespace(system).list().getItems()).as("Leases left after helm uninstall").isEmpty();
    }

    /**
     * A release from before the chart made the Lease has one Pier created at run time, which Helm
     * refuses to take over; the chart README's two commands (Helm's adoption label and annotations)
     * hand it to the release, the holder's record intact, and uninstall then removes it.
     */
    @Test
    void aLeaseAnEarlierPierMadeIsAdoptedWithHelmsOwnershipMarks(KubeApiServer kube) throws Exception {
        Path helm = requireHelm();
        String id = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
        String release = "pier-adopt-" + id;
        String system = "pier-adopt-" + id;
        KubernetesClient admin = kube.client();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(system).endMetadata().build()).create();
        admin.leases().inNamespace(system).resource(new LeaseBuilder().withNewMetadata().withName(release + "-leader").endMetadata()
                .withNewSpec().withHolderIdentity("pier-old-pod").withLeaseDurationSeconds(15).endSpec().build()).create();
        List<String> install = List.of(helm.toString(), "install", release, "charts/pier", "--namespace", system,
                "--kubeconfig", kube.kubeconfig().toString(), "--set", "ingressClass.name=" + release);

        Process refused = new ProcessBuilder(install).redirectErrorStream(true).start();
        String out = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(refused.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).as(out).isNotZero();
        assertThat(out).contains(release + "-leader").contains("ownership");

        admin.leases().inNamespace(system).withName(release + "-leader").edit(l -> new LeaseBuilder(l).editMetadata()
                .addToLabels("app.kubernetes.io/managed-by", "Helm")
                .addToAnnotations("meta.helm.sh/release-name", release)
                .addToAnnotations("meta.helm.sh/release-namespace", system).endMetadata().build());
        assertThat(run(install)).contains("STATUS: deployed");
        var lease = admin.leases().inNamespace(system).withName(release + "-leader").get();
        assertThat(lease.getSpec().getHolderIdentity()).as("the holder's record survives the adoption").isEqualTo("pier-old-pod");
        assertThat(lease.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", release);

        run(List.of(helm.toString(), "uninstall", release, "--namespace", system, "--kubeconfig", kube.kubeconfig().toString()));
        assertThat(admin.leases().inNamespace(system).list().getItems()).isEmpty();
    }
}
