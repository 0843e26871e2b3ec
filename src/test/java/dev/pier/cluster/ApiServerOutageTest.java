package dev.pier.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.PierServer;
import dev.pier.cluster.Cluster.Backend;
import dev.pier.cluster.Cluster.Reply;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API server goes away for 30 s (etcd stays): Pier keeps serving the last table and stays
 * ready, and after the API server is back its informers catch up, so a change made then is served.
 */
@ExtendWith(KubeApiServerExtension.class)
class ApiServerOutageTest {
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    /** fabric8 informers back off up to about 32 s between reconnects, so catching up may take that long on top. */
    private static final Duration CONVERGE = Duration.ofSeconds(120);

    private Cluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    @Test
    void pier_serves_through_an_api_server_outage_and_converges_after_it(KubeApiServer kube) throws Exception {
        cluster = Cluster.create(kube, "outage");
        Backend a = cluster.backend("a");
        cluster.serviceFor("web", a);
        cluster.kubectlApply(cluster.ingressYaml("shop", "/", "web"));
        PierServer pier = cluster.startPier(cluster.options("pier-0").withPublishAddress("198.19.255.5"));
        String shop = cluster.host("shop");
        cluster.awaitBody(pier, shop, "/", "a saw /");
        Cluster.awaitValue(() -> cluster.published("shop"), l -> l.equals(List.of("198.19.255.5")), "status before the outage");

        List<String> failures = new ArrayList<>();
        int requests = 0;
        kube.stopApiServer();
        try {
            assertThat(kube.apiServerRunning()).isFalse();
            long end = System.nanoTime() + OUTAGE.toNanos();
            while (System.nanoTime() < end) {
                Reply r = cluster.get(pier, shop, "/during");
                Reply ready = cluster.admin(pier, "/readyz");
                requests++;
                if (r.status() != 200 || !r.body().equals("a saw /during")) failures.add("proxy: " + r);
                if (ready.status() != 200) failures.add("/readyz: " + ready);
                Thread.sleep(100);
            }
        } finally {
            kube.startApiServer();
        }
        assertThat(requests).as("requests sent during the outage").isGreaterThan(10);
        assertThat(failures).as("answers during the outage other than 200 (of " + requests + ")").isEmpty();

        // After the restart: a new Ingress and a changed backend are served, and the leader writes status again.
        Backend b = cluster.backend("b");
        cluster.serviceFor("web-b", b);
        cluster.kubectlApply(cluster.ingressYaml("after", "/", "web-b"));
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        Reply last = null;
        while (System.nanoTime() < deadline) {
            last = cluster.get(pier, cluster.host("after"), "/new");
            if (last.status() == 200) break;
            Thread.sleep(200);
        }
        assertThat(last).as("an Ingress created after the restart is served within " + CONVERGE)
                .isEqualTo(new Reply(200, "b saw /new"));
        assertThat(cluster.get(pier, shop, "/").status()).isEqualTo(200);
        assertThat(cluster.admin(pier, "/readyz").status()).isEqualTo(200);
        Cluster.await(() -> cluster.published("after").equals(List.of("198.19.255.5")), CONVERGE, "status written after the restart");
    }
}
