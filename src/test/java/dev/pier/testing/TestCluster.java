package dev.pier.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Path;

/**
 * A cluster that runs pods, as the end-to-end scenario needs it: a kubeconfig for kubectl and
 * helm, an admin client, the images (already loaded: nothing can be pulled), and a way to reach
 * a NodePort from this JVM. {@link LocalCluster} (a real single node on this machine) and
 * {@link K3sTestCluster} (Testcontainers) provide one each.
 */
public interface TestCluster extends AutoCloseable {
    /** What it is, for messages (e.g. "local single node", "k3s in Docker"). */
    String description();

    Path kubeconfig();

    /** An admin client; the cluster closes it. */
    KubernetesClient client();

    /** Where requests to {@code nodePort} of the node go from this JVM. */
    URI nodePortUri(int nodePort);

    /** The node's address, as a bare-metal load balancer would publish it. */
    String nodeAddress();

    /** Pier's image, loaded into the node: repository and tag (as scripts/cluster/images.sh builds it). */
    default String pierImageRepository() {
        return "pier.local/pier";
    }

    default String pierImageTag() {
        return "dev";
    }

    /** The test backend's image (busybox httpd answering {@code backend <pod name>}), loaded into the node. */
    default String backendImage() {
        return "pier.local/backend:1";
    }

    @Override
    void close();
}
