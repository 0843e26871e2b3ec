package dev.pier.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's values as {@code helm template} renders them (no cluster needed): the schema
 * refuses bad values naming them, defaults are production ones, every option lands where it
 * should, and the README documents every value. Installing it is HelmChartTest's and
 * LocalClusterIT's job.
 */
class ChartTemplateTest {
    static Path helm;

    @BeforeAll
    static void findHelm() {
        Optional<Path> found = HelmChartTest.helm();
        if (found.isEmpty()) {
            String reason = "helm not found (PIER_HELM_BIN or ~/.cache/pier/helm); run scripts/helm-tool.sh";
            if ("true".equals(System.getenv("PIER_REQUIRE_KUBE"))) Assertions.fail(reason);
            Assumptions.abort(reason);
        }
        helm = found.get();
    }

    record Rendered(int exitCode, String output) {
        @SuppressWarnings("unchecked")
        List<HasMetadata> objects() {
            Object parsed = Serialization.unmarshal(new ByteArrayInputStream(output.getBytes(StandardCharsets.UTF_8)));
            return parsed instanceof List<?> list ? (List<HasMetadata>) list : List.of((HasMetadata) parsed);
        }

        <T extends HasMetadata> List<T> all(Class<T> kind) {
            return objects().stream().filter(kind::isInstance).map(kind::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> kind) {
            List<T> found = all(kind);
            assertThat(found).as(kind.getSimpleName()).hasSize(1);
            return found.get(0);
        }
    }

    private static Rendered template(String release, String namespace, String... sets) throws Exception {
        List<String> command = new ArrayList<>(List.of(helm.toString(), "template", release, "charts/pier", "--namespace", namespace));
        for (String set : sets) {
            command.add(set.startsWith("{") || set.startsWith("[") || set.contains("=[") ? "--set-json" : "--set");
            command.add(set);
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Rendered(p.exitValue(), out);
    }

    private static Rendered ok(String... sets) throws Exception {
        Rendered r = template("pier", "pier-system", sets);
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r;
    }

    @Test
    void badValuesFailNamingTheValue() throws Exception {
        assertThat(template("pier", "pier-system", "replicas=two").output()).contains("/replicas").contains("want integer");
        assertThat(template("pier", "pier-system", "service.typ=NodePort").output()).contains("/service").contains("'typ' not allowed");
        assertThat(template("pier", "pier-system", "service.type=Ingress").output()).contains("/service/type");
        assertThat(template("pier", "pier-system", "watchNamespaces=[\"Not_A_Namespace\"]").output()).contains("/watchNamespaces/0");
        assertThat(template("pier", "pier-system", "drain.delaySeconds=-1").output()).contains("/drain/delaySeconds");
        assertThat(template("pier", "pier-system", "extraArgs=[\"serve\"]").output()).contains("/extraArgs/0");
        for (String bad : List.of("replicas=two", "service.typ=NodePort", "logFormat=xml")) {
            assertThat(template("pier", "pier-system", bad).exitCode()).as(bad).isNotZero();
        }
    }

    @Test
    void defaultsAreForProduction() throws Exception {
        Rendered r = ok();
        Deployment deployment = r.one(Deployment.class);
        var pod = deployment.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().get(0);
        String appVersion = chartField("appVersion");
        assertThat(container.getImage()).isEqualTo("pier:" + appVersion);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(45L);
        assertThat(container.getArgs()).contains("--drain-delay=5s", "--drain-timeout=30s", "--leader-election-id=pier-leader",
                "--publish-service=pier-system/pier", "--ingress-class=pier");
        assertThat(pod.getTopologySpreadConstraints()).extracting(c -> c.getTopologyKey())
                .containsExactly("kubernetes.io/hostname", "topology.kubernetes.io/zone");
        assertThat(pod.getTopologySpreadConstraints()).allSatisfy(c -> assertThat(c.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway"));
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/port", "9901");
        assertThat(r.one(PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(r.one(IngressClass.class).getMetadata().getName()).isEqualTo("pier");
        assertThat(r.one(Service.class).getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(r.one(Service.class).getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getStrVal())
                .containsExactly("http:80->http", "https:443->https");
        assertThat(container.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly("http:8080", "https:8443", "admin:9901");
        assertThat(container.getArgs()).contains("--https-port=8443", "--https-redirect-port=443", "--tls-engine=auto",
                        "--transport=auto")
                .noneMatch(a -> a.startsWith("--default-certificate"));
        assertThat(r.output()).doesNotContain("ServiceMonitor");
    }

    /**
     * The chart installs the leader-election Lease (so helm uninstall removes it), empty (so helm
     * upgrade never rewrites the holder's record), and Pier may only read and renew that one:
     * no create, which RBAC cannot limit by name, and no delete.
     */
    @Test
    void theChartOwnsTheLeaseAndPierMayOnlyReadAndRenewIt() throws Exception {
        Rendered r = template("edge", "team-a");
        assertThat(r.exitCode()).as(r.output()).isZero();
        Lease lease = r.one(Lease.class);
        assertThat(lease.getMetadata().getName()).isEqualTo("edge-pier-leader");
        assertThat(lease.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(lease.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", "edge");
        assertThat(lease.getSpec()).isNull();
        assertThat(r.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--leader-election-id=edge-pier-leader");
        List<PolicyRule> leaseRules = r.all(Role.class).stream().flatMap(role -> role.getRules().stream())
                .filter(rule -> rule.getResources().contains("leases")).toList();
        assertThat(leaseRules).singleElement().satisfies(rule -> {
            assertThat(rule.getResourceNames()).containsExactly("edge-pier-leader");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "patch");
        });
        assertThat(r.one(ClusterRole.class).getRules()).noneMatch(rule -> rule.getResources().contains("leases"));
    }

    @Test
    void everyOptionLandsWhereItShould() throws Exception {
        Rendered r = ok("image.repository=registry.example/pier", "image.digest=sha256:" + "a".repeat(64),
                "imagePullSecrets[0].name=regcred", "priorityClassName=system-cluster-critical",
                "podAnnotations.team=edge", "podLabels.tier=ingress", "commonLabels.owner=platform",
                "extraArgs=[\"--event-loops=4\"]", "extraEnv=[{\"name\":\"JAVA_TOOL_OPTIONS\",\"value\":\"-Xss512k\"}]",
                "service.type=NodePort", "service.nodePorts.http=30080", "service.nodePorts.https=30443", "service.externalTrafficPolicy=Local",
                "tls.defaultCertificate=pier-system/wildcard", "tls.engine=jdk", "transport=io_uring", "service.httpsPort=8443",
                "service.annotations.lb=internal", "metrics.serviceMonitor.enabled=true", "metrics.serviceMonitor.labels.release=prom",
                "ingressClass.default=true", "drain.delaySeconds=10", "drain.timeoutSeconds=60", "replicas=3",
                "podDisruptionBudget.minAvailable=2", "topologySpread.enabled=false", "logLevel=DEBUG");
        Deployment deployment = r.one(Deployment.class);
        var pod = deployment.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("registry.example/pier@sha256:" + "a".repeat(64));
        assertThat(pod.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("regcred");
        assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("team", "edge");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("tier", "ingress");
        assertThat(deployment.getMetadata().getLabels()).containsEntry("owner", "platform");
        assertThat(container.getArgs()).contains("--event-loops=4", "--drain-delay=10s", "--drain-timeout=60s");
        assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS"));
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("PIER_LOG_LEVEL");
            assertThat(e.getValue()).isEqualTo("DEBUG");
        });
        assertThat(pod.getTerminationGracePeriodSeconds()).as("delay + timeout + 10").isEqualTo(80L);
        assertThat(pod.getTopologySpreadConstraints()).isEmpty();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(r.one(PodDisruptionBudget.class).getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
        List<Service> services = r.all(Service.class);
        Service main = services.stream().filter(s -> s.getMetadata().getName().equals("pier")).findFirst().orElseThrow();
        assertThat(main.getSpec().getType()).isEqualTo("NodePort");
        assertThat(main.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
        assertThat(main.getSpec().getPorts().get(0).getNodePort()).isEqualTo(30080);
        assertThat(main.getSpec().getPorts().get(1).getNodePort()).isEqualTo(30443);
        assertThat(main.getSpec().getPorts().get(1).getPort()).isEqualTo(8443);
        assertThat(container.getArgs()).contains("--default-certificate=pier-system/wildcard", "--tls-engine=jdk",
                "--https-redirect-port=8443", "--transport=io_uring");
        assertThat(main.getMetadata().getAnnotations()).containsEntry("lb", "internal");
        Service metrics = services.stream().filter(s -> s.getMetadata().getName().equals("pier-metrics")).findFirst().orElseThrow();
        assertThat(metrics.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(metrics.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("admin");
        assertThat(r.output()).contains("kind: ServiceMonitor").contains("release: prom");
        assertThat(r.one(IngressClass.class).getMetadata().getAnnotations())
                .containsEntry("ingressclass.kubernetes.io/is-default-class", "true");

        Rendered lb = ok("service.loadBalancerClass=metallb", "service.loadBalancerSourceRanges[0]=10.0.0.0/8");
        Service service = lb.one(Service.class);
        assertThat(service.getSpec().getLoadBalancerClass()).isEqualTo("metallb");
        assertThat(service.getSpec().getLoadBalancerSourceRanges()).containsExactly("10.0.0.0/8");

        assertThat(ok("ingressClass.create=false").all(IngressClass.class)).isEmpty();
        assertThat(ok("podDisruptionBudget.enabled=false").all(PodDisruptionBudget.class)).isEmpty();
        Rendered addresses = ok("publish.service=false", "publish.addresses={203.0.113.7,lb.example.com}");
        assertThat(addresses.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--publish-address=203.0.113.7,lb.example.com").noneMatch(a -> a.startsWith("--publish-service"));
    }

    /** The chart's edge values and the environment variables of the flags they set (cli/EdgeFlags). */
    static final java.util.Map<String, String> EDGE_VALUES = java.util.Map.ofEntries(
            java.util.Map.entry("requestHeadersTimeout=15s", "PIER_REQUEST_HEADERS_TIMEOUT=15s"),
            java.util.Map.entry("keepAliveTimeout=75s", "PIER_KEEPALIVE_TIMEOUT=75s"),
            java.util.Map.entry("clientBodyTimeout=30s", "PIER_CLIENT_BODY_TIMEOUT=30s"),
            java.util.Map.entry("http2IdleTimeout=5m", "PIER_HTTP2_IDLE_TIMEOUT=5m"),
            java.util.Map.entry("websocketIdleTimeout=1h", "PIER_WEBSOCKET_IDLE_TIMEOUT=1h"),
            java.util.Map.entry("connectTimeout=2s", "PIER_CONNECT_TIMEOUT=2s"),
            java.util.Map.entry("maxConnections=250000", "PIER_MAX_CONNECTIONS=250000"),
            java.util.Map.entry("maxConcurrentStreams=256", "PIER_MAX_CONCURRENT_STREAMS=256"),
            java.util.Map.entry("maxHeaderCount=150", "PIER_MAX_HEADER_COUNT=150"),
            java.util.Map.entry("maxHeaderSize=64Ki", "PIER_MAX_HEADER_SIZE=64Ki"),
            java.util.Map.entry("maxRequestLine=16384", "PIER_MAX_REQUEST_LINE=16384"),
            java.util.Map.entry("maxRequestBodySize=10Mi", "PIER_MAX_REQUEST_BODY_SIZE=10Mi"),
            java.util.Map.entry("requestBufferSize=128Ki", "PIER_REQUEST_BUFFER_SIZE=128Ki"),
            java.util.Map.entry("proxyProtocol=true", "PIER_PROXY_PROTOCOL=true"),
            java.util.Map.entry("maxEventLoopDelay=0", "PIER_MAX_EVENT_LOOP_DELAY=0"));

    private static List<String> env(Rendered r) {
        return r.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getValue() != null).map(e -> e.getName() + "=" + e.getValue()).toList();
    }

    @Test
    void edgeValuesBecomeTheFlagsEnvironmentOnlyWhenSet() throws Exception {
        String edgeFlags = Files.readString(Path.of("src", "main", "java", "dev", "pier", "cli", "EdgeFlags.java"));
        List<String> sets = new ArrayList<>();
        for (var e : EDGE_VALUES.entrySet()) {
            sets.add("edge." + e.getKey());
            String name = e.getValue().substring(0, e.getValue().indexOf('='));
            assertThat(edgeFlags).as("a flag reads " + name).contains("${env:" + name + ":");
        }
        sets.add("edge.trustedProxies=[\"10.0.0.0/8\",\"192.0.2.7\"]");
        assertThat(edgeFlags).contains("${env:PIER_TRUSTED_PROXIES}");
        List<String> set = env(ok(sets.toArray(String[]::new)));
        assertThat(set).containsAll(EDGE_VALUES.values()).contains("PIER_TRUSTED_PROXIES=10.0.0.0/8,192.0.2.7");

        // Unset, the flags' own defaults apply: the chart sets none of them.
        List<String> defaults = env(ok());
        for (String value : EDGE_VALUES.values()) {
            String name = value.substring(0, value.indexOf('=') + 1);
            assertThat(defaults).noneMatch(e -> e.startsWith(name));
        }
        assertThat(defaults).noneMatch(e -> e.startsWith("PIER_TRUSTED_PROXIES="));
        assertThat(env(ok("edge.proxyProtocol=false"))).contains("PIER_PROXY_PROTOCOL=false");

        assertThat(template("pier", "pier-system", "edge.requestHeadersTimeout=10").output()).contains("/edge/requestHeadersTimeout");
        assertThat(template("pier", "pier-system", "edge.maxHeaderSize=32KB").output()).contains("/edge/maxHeaderSize");
        assertThat(template("pier", "pier-system", "edge.maxEventLoopDelay=3").output()).contains("/edge/maxEventLoopDelay");
        assertThat(template("pier", "pier-system", "edge.trustedProxies=[\"proxy.example\"]").output()).contains("/edge/trustedProxies/0");
        assertThat(template("pier", "pier-system", "edge.maxConcurrentStream=1").output()).contains("'maxConcurrentStream' not allowed");
    }

    @Test
    void accessLogAndTracingValuesBecomeTheFlagsEnvironmentOnlyWhenSet() throws Exception {
        String serve = Files.readString(Path.of("src", "main", "java", "dev", "pier", "cli", "ServeCommand.java"));
        for (String name : List.of("PIER_ACCESS_LOG", "PIER_ACCESS_LOG_FORMAT", "PIER_ACCESS_LOG_SAMPLE", "PIER_TRACING")) {
            assertThat(serve).as("a flag reads " + name).containsPattern("\\$\\{env:" + name + "[:}]");
        }
        assertThat(env(ok())).noneMatch(e -> e.startsWith("PIER_ACCESS_LOG") || e.startsWith("PIER_TRACING"));
        assertThat(env(ok("accessLog.mode=off", "accessLog.format=text", "accessLog.sample=0.25", "tracing.enabled=true",
                "extraEnv=[{\"name\":\"OTEL_EXPORTER_OTLP_ENDPOINT\",\"value\":\"http://otel:4318\"}]")))
                .contains("PIER_ACCESS_LOG=off", "PIER_ACCESS_LOG_FORMAT=text", "PIER_ACCESS_LOG_SAMPLE=0.25", "PIER_TRACING=true",
                        "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel:4318");
        assertThat(env(ok("accessLog.mode=true"))).as("YAML's bare on").contains("PIER_ACCESS_LOG=on");
        assertThat(template("pier", "pier-system", "accessLog.sample=2").output()).contains("/accessLog/sample");
        assertThat(template("pier", "pier-system", "accessLog.mode=sometimes").output()).contains("/accessLog/mode");
    }

    @Test
    void theDashboardConfigMapIsNamedPerReleaseAndLabelled() throws Exception {
        assertThat(ok().output()).doesNotContain("kind: ConfigMap");
        Rendered a = template("edge", "team-a", "grafanaDashboard.enabled=true", "grafanaDashboard.namespace=monitoring");
        assertThat(a.exitCode()).as(a.output()).isZero();
        var map = a.one(io.fabric8.kubernetes.api.model.ConfigMap.class);
        assertThat(map.getMetadata().getName()).isEqualTo("edge-pier-dashboard");
        assertThat(map.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(map.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1")
                .containsEntry("app.kubernetes.io/instance", "edge").containsEntry("app.kubernetes.io/name", "pier");
        assertThat(map.getData()).containsKey("pier.json");
        assertThat(template("pier", "pier-system", "grafanaDashboard.namespace=Not_A_Namespace").output())
                .contains("/grafanaDashboard/namespace");
    }

    @Test
    void watchedNamespacesGetRolesAndTheClusterRoleShrinksToClusterScopedReads() throws Exception {
        Rendered r = ok("watchNamespaces=[\"shop\",\"blog\"]");
        ClusterRole clusterRole = r.one(ClusterRole.class);
        assertThat(clusterRole.getRules()).flatExtracting(PolicyRule::getResources).containsExactly("ingressclasses", "namespaces");
        assertThat(clusterRole.getRules()).flatExtracting(PolicyRule::getVerbs).containsOnly("list", "watch");
        List<Role> roles = r.all(Role.class);
        assertThat(roles).extracting(role -> role.getMetadata().getNamespace()).containsExactlyInAnyOrder("shop", "blog", "pier-system");
        Role shop = roles.stream().filter(role -> "shop".equals(role.getMetadata().getNamespace())).findFirst().orElseThrow();
        assertThat(shop.getRules()).extracting(PolicyRule::getResources).flatExtracting(list -> list)
                .contains("ingresses", "ingresses/status", "services", "endpointslices", "gatewayroutes", "events");
        assertThat(r.all(RoleBinding.class)).extracting(b -> b.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("shop", "blog", "pier-system");
        Role own = roles.stream().filter(role -> "pier-system".equals(role.getMetadata().getNamespace())).findFirst().orElseThrow();
        assertThat(own.getRules()).as("its own Lease, and its own Service for --publish-service")
                .anySatisfy(rule -> assertThat(rule.getResourceNames()).containsExactly("pier-leader"))
                .anySatisfy(rule -> {
                    assertThat(rule.getResources()).containsExactly("services");
                    assertThat(rule.getResourceNames()).containsExactly("pier");
                    assertThat(rule.getVerbs()).containsExactly("get");
                });
        assertThat(r.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--watch-namespace=shop", "--watch-namespace=blog");
    }

    @Test
    void acmeValuesBecomeTheFlagsEnvironmentAndAreOffByDefault() throws Exception {
        assertThat(ok().one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .extracting(e -> e.getName()).noneMatch(n -> n.startsWith("PIER_ACME_"));
        Rendered r = ok("acme.directory=https://acme-staging-v02.api.letsencrypt.org/directory", "acme.email=ops@example.com",
                "acme.agreeTos=true", "acme.allowHosts={shop.example.com,*.apps.example.com}", "acme.challenge=tls-alpn-01",
                "acme.eabSecret=eab", "acme.trustConfigMap=private-ca");
        var env = r.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        java.util.Map<String, String> values = new java.util.HashMap<>();
        env.forEach(e -> values.put(e.getName(), e.getValue()));
        assertThat(values).containsEntry("PIER_ACME_DIRECTORY", "https://acme-staging-v02.api.letsencrypt.org/directory")
                .containsEntry("PIER_ACME_EMAIL", "ops@example.com").containsEntry("PIER_ACME_AGREE_TOS", "true")
                .containsEntry("PIER_ACME_ALLOW_HOST", "shop.example.com,*.apps.example.com")
                .containsEntry("PIER_ACME_CHALLENGE", "tls-alpn-01").containsEntry("PIER_ACME_KEY_TYPE", "ec-p256");
        assertThat(env).filteredOn(e -> e.getName().equals("PIER_ACME_EAB_HMAC_KEY")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("eab"));
        assertThat(template("pier", "pier-system", "acme.challenge=dns-01").exitCode()).as("the schema refuses it").isNotZero();
        // --acme-trust: the ConfigMap's ca.crt, mounted read-only where the variable points.
        assertThat(values).containsEntry("PIER_ACME_TRUST", "/etc/pier/acme-trust/ca.crt");
        var pod = r.one(Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getVolumeMounts()).filteredOn(m -> m.getName().equals("acme-trust")).singleElement()
                .satisfies(m -> {
                    assertThat(m.getMountPath()).isEqualTo("/etc/pier/acme-trust");
                    assertThat(m.getReadOnly()).isTrue();
                });
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("acme-trust")).singleElement()
                .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo("private-ca"));
        assertThat(ok("acme.trustConfigMap=private-ca").one(Deployment.class).getSpec().getTemplate().getSpec().getVolumes())
                .as("nothing mounted without ACME").extracting(v -> v.getName()).containsExactly("tmp");
    }

    @Test
    void twoReleasesNameTheirClusterScopedObjectsApart() throws Exception {
        Rendered a = template("edge", "team-a", "ingressClass.name=edge-a");
        Rendered b = template("edge", "team-b", "ingressClass.name=edge-b");
        assertThat(a.exitCode()).isZero();
        assertThat(b.exitCode()).isZero();
        Set<String> namesA = clusterScopedNames(a);
        Set<String> namesB = clusterScopedNames(b);
        assertThat(namesA).hasSize(5).doesNotContainAnyElementsOf(namesB);
        assertThat(a.one(ClusterRoleBinding.class).getSubjects().get(0).getNamespace()).isEqualTo("team-a");
    }

    private static Set<String> clusterScopedNames(Rendered r) {
        Set<String> names = new LinkedHashSet<>();
        r.all(ClusterRole.class).forEach(o -> names.add("ClusterRole/" + o.getMetadata().getName()));
        r.all(ClusterRoleBinding.class).forEach(o -> names.add("ClusterRoleBinding/" + o.getMetadata().getName()));
        r.all(IngressClass.class).forEach(o -> names.add("IngressClass/" + o.getMetadata().getName()));
        r.all(io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy.class)
                .forEach(o -> names.add("ValidatingAdmissionPolicy/" + o.getMetadata().getName()));
        r.all(io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding.class)
                .forEach(o -> names.add("ValidatingAdmissionPolicyBinding/" + o.getMetadata().getName()));
        return names;
    }

    @Test
    void theReadmeDescribesEveryValue() throws Exception {
        String readme = Files.readString(Path.of("charts", "pier", "README.md"));
        List<String> undocumented = new ArrayList<>();
        for (String key : valueKeys()) {
            if (!readme.contains("`" + key + "`")) undocumented.add(key);
        }
        assertThat(undocumented).as("values missing from charts/pier/README.md").isEmpty();
    }

    /**
     * The dotted paths of values.yaml's leaves: a key with a value on its line, or with a list
     * below it. Maps of Kubernetes' own fields (security contexts, resources, the update
     * strategy) count as one value.
     */
    private static List<String> valueKeys() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("charts", "pier", "values.yaml"));
        List<String> keys = new ArrayList<>();
        List<String> stack = new ArrayList<>();
        Pattern keyLine = Pattern.compile("^( *)([A-Za-z][A-Za-z0-9]*):(.*)$");
        Set<String> wholeMaps = Set.of("podSecurityContext", "containerSecurityContext", "resources", "updateStrategy");
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = keyLine.matcher(lines.get(i));
            if (!m.matches()) continue;
            int depth = m.group(1).length() / 2;
            while (stack.size() > depth) stack.remove(stack.size() - 1);
            stack.add(m.group(2));
            if (stack.size() > 1 && wholeMaps.contains(stack.get(0))) continue;
            String rest = m.group(3).strip();
            boolean leaf = !rest.isEmpty() && !rest.startsWith("#") || wholeMaps.contains(m.group(2)) && depth == 0
                    || nextContentLine(lines, i).strip().startsWith("- ");
            if (leaf) keys.add(String.join(".", stack));
        }
        return keys;
    }

    private static String nextContentLine(List<String> lines, int after) {
        for (int i = after + 1; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (!l.isEmpty() && !l.startsWith("#")) return lines.get(i);
        }
        return "";
    }

    private static String chartField(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("charts", "pier", "Chart.yaml"))) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1).strip().replace("\"", "");
        }
        throw new IllegalStateException(field + " not in Chart.yaml");
    }
}
