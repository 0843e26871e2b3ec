package dev.pier.deploy;

import dev.pier.testing.K3sTestCluster;
import dev.pier.testing.LocalCluster;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;

/**
 * The same end-to-end scenario as {@link LocalClusterIT}, against k3s in Docker (Testcontainers).
 * Runs where Docker has or can pull the rancher/k3s image; elsewhere (as on the CI machine,
 * where no image can be pulled) it is skipped with the reason printed. Never required: the
 * local cluster is the one CI runs.
 */
class K3sClusterIT extends ClusterScenario {

    @BeforeAll
    void startK3s() throws Exception {
        Optional<String> missing = K3sTestCluster.unavailableReason();
        if (missing.isEmpty() && HelmChartTest.helm().isEmpty()) missing = Optional.of("helm not found; run scripts/helm-tool.sh");
        if (missing.isEmpty() && LocalCluster.kubectl().isEmpty()) missing = Optional.of("kubectl not found; run scripts/kube-test-tools.sh");
        if (missing.isPresent()) {
            System.err.println("SKIPPED K3sClusterIT: " + missing.get());
            skipReason = "k3s: " + missing.get();
            return;
        }
        cluster = K3sTestCluster.start(NODE_PORT);
        kubectl = LocalCluster.kubectl().orElseThrow();
    }
}
