package dev.pier.deploy;

import dev.pier.testing.LocalCluster;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The end-to-end scenario in a real single-node cluster on this machine (scripts/cluster/node.sh,
 * images from scripts/cluster/images.sh). scripts/test.sh prepares both and sets
 * PIER_REQUIRE_KUBE=true, so in CI this runs or fails; elsewhere it is skipped with the reason.
 */
class LocalClusterIT extends ClusterScenario {

    @BeforeAll
    void startCluster() throws Exception {
        Optional<String> missing = LocalCluster.unavailableReason();
        if (missing.isEmpty() && HelmChartTest.helm().isEmpty()) missing = Optional.of("helm not found; run scripts/helm-tool.sh");
        if (missing.isPresent()) {
            String reason = "local cluster: " + missing.get();
            if ("true".equalsIgnoreCase(System.getenv("PIER_REQUIRE_KUBE"))) Assertions.fail(reason + " (PIER_REQUIRE_KUBE=true, so this fails)");
            System.err.println("SKIPPED LocalClusterIT: " + reason);
            skipReason = reason;
            return;
        }
        LocalCluster local = LocalCluster.start();
        System.out.println("FIGURE local cluster up in " + local.upTime().toMillis() + " ms (scripts/cluster/node.sh up, node Ready, images imported)");
        cluster = local;
        kubectl = local.kubectlBinary();
    }
}
