package dev.pier.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/ is the chart rendered, and what it grants and runs is least privilege. */
class ManifestsTest {

    @SuppressWarnings("unchecked")
    private static List<HasMetadata> load(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            Object parsed = Serialization.unmarshal(in);
            return parsed instanceof List<?> list ? (List<HasMetadata>) list : List.of((HasMetadata) parsed);
        }
    }

    private static List<PolicyRule> rules(String file) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readValue(Path.of("charts", "pier", "files", file).toFile(),
                new TypeReference<List<PolicyRule>>() { });
    }

    @Test
    void deployIsTheChartRendered(@TempDir Path out) throws Exception {
        Optional<Path> helm = HelmChartTest.helm();
        if (helm.isEmpty()) {
            String reason = "helm not found (PIER_HELM_BIN or ~/.cache/pier/helm); run scripts/helm-tool.sh";
            if ("true".equals(System.getenv("PIER_REQUIRE_KUBE"))) Assertions.fail(reason);
            Assumptions.abort(reason);
        }
        ProcessBuilder pb = new ProcessBuilder("scripts/render-deploy.sh", out.toString()).redirectErrorStream(true);
        pb.environment().put("PIER_HELM_BIN", helm.get().getParent().toString());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        try (Stream<Path> rendered = Files.list(out); Stream<Path> committed = Files.list(Path.of("deploy"))) {
            assertThat(committed.map(f -> f.getFileName().toString()).sorted().toList())
                    .isEqualTo(rendered.map(f -> f.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> rendered = Files.list(out)) {
            for (Path file : rendered.toList()) {
                assertThat(Files.readString(Path.of("deploy").resolve(file.getFileName())))
                        .as("deploy/%s is stale: run scripts/render-deploy.sh and commit", file.getFileName())
                        .isEqualTo(Files.readString(file));
            }
        }
    }

    @Test
    void theClusterRoleGrantsTheChartsRulesAndNothingBeyondStatusAndEvents() throws Exception {
        ClusterRole role = (ClusterRole) load(Path.of("deploy", "10-rbac.yaml")).stream()
                .filter(o -> o instanceof ClusterRole).findFirst().orElseThrow();
        List<PolicyRule> chart = new ArrayList<>(rules("rbac-cluster-rules.yaml"));
        chart.addAll(rules("rbac-namespaced-rules.yaml"));
        assertThat(role.getRules()).isEqualTo(chart);
        assertThat(role.getRules()).as("no wildcard, no delete, and no write access beyond status, events and (ACME) Secrets")
                .allSatisfy(rule -> {
                    assertThat(rule.getVerbs()).doesNotContain("*", "delete", "deletecollection");
                    assertThat(rule.getResources()).doesNotContain("*");
                    if (rule.getVerbs().stream().anyMatch(v -> List.of("create", "update", "patch").contains(v))) {
                        assertThat(rule.getResources()).allMatch(r -> r.endsWith("/status") || r.equals("events") || r.equals("secrets"));
                    }
                });
    }

    /** RBAC cannot limit Secret writes by label: the admission policy that does is shipped beside it, for Pier's ServiceAccount. */
    @Test
    void secretWritesComeWithTheAdmissionPolicyThatLimitsThemToPiersOwn() throws Exception {
        List<HasMetadata> policy = load(Path.of("deploy", "15-secret-policy.yaml"));
        assertThat(policy).extracting(HasMetadata::getKind)
                .containsExactly("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
        var vap = (io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy) policy.get(0);
        var binding = (io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding) policy.get(1);
        assertThat(binding.getSpec().getPolicyName()).isEqualTo(vap.getMetadata().getName());
        assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
        assertThat(vap.getSpec().getFailurePolicy()).isEqualTo("Fail");
        Deployment deployment = (Deployment) load(Path.of("deploy", "30-deployment.yaml")).stream()
                .filter(o -> o instanceof Deployment).findFirst().orElseThrow();
        String account = "system:serviceaccount:" + deployment.getMetadata().getNamespace() + ":"
                + deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(vap.getSpec().getMatchConditions()).singleElement()
                .satisfies(c -> assertThat(c.getExpression()).contains("'" + account + "'"));
        assertThat(vap.getSpec().getValidations()).extracting(v -> v.getExpression())
                .allSatisfy(e -> assertThat(e).contains("app.kubernetes.io/managed-by"));
    }

    @Test
    void theDeploymentRunsAsNonRootWithoutPrivilegesAndDrains() throws Exception {
        List<HasMetadata> all = new ArrayList<>();
        try (var files = Files.list(Path.of("deploy"))) {
            for (Path f : files.sorted().toList()) all.addAll(load(f));
        }
        Deployment deployment = (Deployment) all.stream().filter(o -> o instanceof Deployment).findFirst().orElseThrow();
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        var container = pod.getContainers().get(0);
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getArgs()).contains("serve", "--kubernetes", "--drain-delay=5s", "--drain-timeout=30s");
        assertThat(pod.getTerminationGracePeriodSeconds()).as("covers drain delay + timeout").isGreaterThan(35L);
        assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    }

    @Test
    void theProbesReachTheAdminPortOnThePodIp() throws Exception {
        List<HasMetadata> all = new ArrayList<>();
        try (var files = Files.list(Path.of("deploy"))) {
            for (Path f : files.sorted().toList()) all.addAll(load(f));
        }
        Deployment deployment = (Deployment) all.stream().filter(o -> o instanceof Deployment).findFirst().orElseThrow();
        var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
        // The admin port listens on loopback unless given the pod IP, which the kubelet probes.
        assertThat(container.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("PIER_ADMIN_ADDRESS");
            assertThat(env.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
        });
    }

    @Test
    void theChartShipsTheCommittedCrd() throws Exception {
        assertThat(Files.readString(Path.of("charts", "pier", "crds", "gatewayroutes.pier.dev-v1.yml")))
                .as("charts/pier/crds/ must equal crds/ (cp crds/gatewayroutes.pier.dev-v1.yml charts/pier/crds/)")
                .isEqualTo(Files.readString(Path.of("crds", "gatewayroutes.pier.dev-v1.yml")));
    }
}
