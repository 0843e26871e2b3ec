package dev.pier.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * k3s in Docker (Testcontainers' {@link K3sContainer}) as a {@link TestCluster}: the images of
 * {@code scripts/cluster/images.sh} are copied into k3s' auto-import directory before it starts,
 * and the scenario's NodePort is published. Needs a Docker that has (or can pull) the
 * {@code rancher/k3s} image; {@link #unavailableReason()} says why not otherwise.
 */
public final class K3sTestCluster implements TestCluster {
    /** The k3s release matching the Kubernetes minor version the other tests use. */
    public static final DockerImageName IMAGE = DockerImageName.parse(
            System.getProperty("pier.k3s.image", "rancher/k3s:v1.33.5-k3s1"));

    private final K3sContainer k3s;
    private final Path kubeconfig;
    private final KubernetesClient client;
    private final int nodePort;

    private K3sTestCluster(K3sContainer k3s, Path kubeconfig, int nodePort) throws IOException {
        this.k3s = k3s;
        this.kubeconfig = kubeconfig;
        this.nodePort = nodePort;
        this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build();
    }

    /** Why k3s cannot run here, or empty when Docker is there and has the image (or can pull it). */
    public static Optional<String> unavailableReason() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return Optional.of("no Docker environment for Testcontainers (DOCKER_HOST or /var/run/docker.sock)");
        }
        try {
            var docker = DockerClientFactory.instance().client();
            try {
                docker.inspectImageCmd(IMAGE.asCanonicalNameString()).exec();
            } catch (com.github.dockerjava.api.exception.NotFoundException missing) {
                docker.pullImageCmd(IMAGE.asCanonicalNameString()).start().awaitCompletion();
            }
        } catch (Exception e) {
            return Optional.of("Docker has no " + IMAGE + " image and cannot pull it: " + e.getMessage());
        }
        for (String image : new String[] {"pier", "backend"}) {
            if (!Files.isRegularFile(LocalCluster.imageDir().resolve(image + ".tar"))) {
                return Optional.of(LocalCluster.imageDir().resolve(image + ".tar") + " not found; run scripts/cluster/images.sh");
            }
        }
        return Optional.empty();
    }

    @SuppressWarnings("resource") // closed in close()
    public static K3sTestCluster start(int nodePort) throws IOException {
        K3sContainer k3s = new K3sContainer(IMAGE);
        k3s.addExposedPort(nodePort);
        // k3s imports every image tarball in this directory when it starts.
        for (String image : new String[] {"pier", "backend"}) {
            k3s.withCopyFileToContainer(MountableFile.forHostPath(LocalCluster.imageDir().resolve(image + ".tar")),
                    "/var/lib/rancher/k3s/agent/images/" + image + ".tar");
        }
        k3s.start();
        Path kubeconfig = Files.createTempFile("pier-k3s-", ".kubeconfig");
        Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
        return new K3sTestCluster(k3s, kubeconfig, nodePort);
    }

    @Override
    public String description() {
        return "k3s " + IMAGE.getVersionPart() + " in Docker";
    }

    @Override
    public Path kubeconfig() {
        return kubeconfig;
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    @Override
    public URI nodePortUri(int port) {
        if (port != nodePort) throw new IllegalArgumentException("only node port " + nodePort + " is published");
        return URI.create("http://" + k3s.getHost() + ":" + k3s.getMappedPort(port));
    }

    @Override
    public String nodeAddress() {
        // What k3s' own load balancer (ServiceLB) publishes: the node's address on Docker's network.
        return k3s.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();
    }

    @Override
    public void close() {
        client.close();
        k3s.stop();
        try {
            Files.deleteIfExists(kubeconfig);
        } catch (IOException e) {
            // a temp file
        }
    }
}
