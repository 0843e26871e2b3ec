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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plain manifests in deploy/ and the Helm chart say the same about privileges. */
class ManifestsTest {

    @SuppressWarnings("unchecked")
    private static List<HasMetadata> load(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            Object parsed = Serialization.unmarshal(in);
            return parsed instanceof List<?> list ? (List<HasMetadata>) list : List.of((HasMetadata) parsed);
        }
    }

    @Test
    void theChartGrantsExactlyTheRulesDeployGrants() throws Exception {
        ClusterRole role = (ClusterRole) load(Path.of("deploy", "10-rbac.yaml")).stream()
                .filter(o -> o instanceof ClusterRole).findFirst().orElseThrow();
        List<PolicyRule> chart = new ObjectMapper(new YAMLFactory()).readValue(
                Path.of("charts", "pier", "files", "clusterrole-rules.yaml").toFile(), new TypeReference<List<PolicyRule>>() { });
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

    /** RBAC cannot limit Secret writes by label: the admission policy that does is shipped beside it, bound. */
    @Test
    void secretWritesComeWithTheAdmissionPolicyThatLimitsThemToPiersOwn() throws Exception {
        List<HasMetadata> policy = load(Path.of("deploy", "15-secret-policy.yaml"));
        assertThat(policy).extracting(HasMetadata::getKind)
                .containsExactly("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
        String text = Files.readString(Path.of("deploy", "15-secret-policy.yaml"));
        assertThat(text).contains("system:serviceaccount:pier-system:pier", "app.kubernetes.io/managed-by", "validationActions: [Deny]");
        String chart = Files.readString(Path.of("charts", "pier", "templates", "secret-policy.yaml"));
        assertThat(chart).contains("system:serviceaccount:{{ .Release.Namespace }}:{{ .Release.Name }}", "validationActions: [Deny]");
        // The same checks in both, whatever the names.
        java.util.function.Function<String, String> validations = t -> t.substring(t.indexOf("validations:"), t.indexOf("---"));
        assertThat(validations.apply(chart)).isEqualTo(validations.apply(text));
    }

    @Test
    void theDeploymentRunsAsNonRootWithoutPrivileges() throws Exception {
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
        assertThat(container.getArgs()).contains("serve", "--kubernetes");
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
