package dev.pier.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Proves the test infrastructure: a real API server, kubectl against it, and a netns address EndpointSlices accept. */
@ExtendWith(KubeApiServerExtension.class)
class KubeApiServerTest {

    @Test
    void serves_objects_to_fabric8_and_kubectl(KubeApiServer kube) throws Exception {
        KubernetesClient client = kube.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("infra-kubectl").endMetadata().build()).create();

        var result = kube.kubectl("get", "ns", "infra-kubectl", "-o", "name");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().trim()).isEqualTo("namespace/infra-kubectl");
        assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo(KubeApiServer.KUBE_VERSION);
    }

    @Test
    void rejects_loopback_endpoints_and_accepts_a_netns_address(KubeApiServer kube) throws Exception {
        KubernetesClient client = kube.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("infra-netns").endMetadata().build()).create();

        assertThatThrownBy(() -> client.discovery().v1().endpointSlices().inNamespace("infra-netns")
                .resource(slice("loop", "127.0.0.1")).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("loopback");

        try (TestNetns netns = TestNetns.create();
             ServerSocket backend = new ServerSocket()) {
            backend.bind(new InetSocketAddress(InetAddress.getByName(netns.hostAddress()), 0));
            EndpointSlice created = client.discovery().v1().endpointSlices().inNamespace("infra-netns")
                    .resource(slice("web", netns.hostAddress())).create();
            assertThat(created.getEndpoints().get(0).getAddresses()).containsExactly(netns.hostAddress());

            // The address in the slice really reaches the backend.
            try (Socket s = new Socket(netns.hostAddress(), backend.getLocalPort());
                 Socket accepted = backend.accept()) {
                OutputStream out = s.getOutputStream();
                out.write("ping".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = accepted.getInputStream();
                assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
            }

            // And from inside the namespace, over the veth pair.
            Process p = new ProcessBuilder(netns.command("ip", "route", "get", netns.hostAddress()))
                    .redirectErrorStream(true).start();
            String route = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(route).isZero();
            assertThat(route).contains("src " + netns.nsAddress());
        }
    }

    @Test
    void pier_user_starts_without_rights(KubeApiServer kube) {
        try (KubernetesClient pier = kube.newClient(kube.pierToken())) {
            // Nodes: no RBAC Pier ships grants them (other tests bind those rules to this user).
            assertThatThrownBy(() -> pier.nodes().list())
                    .isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
        }
    }

    private static EndpointSlice slice(String name, String address) {
        return new EndpointSliceBuilder()
                .withNewMetadata().withName(name).addToLabels("kubernetes.io/service-name", name).endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses(address).withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .build();
    }
}
