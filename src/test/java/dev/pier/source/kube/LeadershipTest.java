package dev.pier.source.kube;

import static dev.pier.source.kube.KubeSourceTest.awaitTrue;
import static dev.pier.source.kube.KubeSourceTest.namespace;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pier.testing.KubeApiServer;
import dev.pier.testing.KubeApiServerExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** Leader election against a real API server, when starting a term goes wrong. */
@ExtendWith(KubeApiServerExtension.class)
class LeadershipTest {

    /**
     * Defect: a term that ended was restarted on an executor, and when that restart threw, the
     * executor swallowed it: election stopped for good, without a log line. Now every failure is
     * logged and tried again with backoff, until the Lease is won.
     */
    @Test
    void a_term_that_fails_or_cannot_start_is_logged_and_tried_again(KubeApiServer kube) throws Exception {
        KubernetesClient admin = kube.client();
        String ns = namespace(admin, "elect-retry");
        KubeSourceOptions options = KubeSourceTest.options(ns);
        AtomicInteger attempts = new AtomicInteger();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(Leadership.class);
        logger.addAppender(log);
        try (KubernetesClient client = kube.newAdminClient();
             Leadership leadership = new Leadership(options, () -> { }, () -> { }, config -> switch (attempts.incrementAndGet()) {
                 case 1 -> CompletableFuture.failedFuture(new IllegalStateException("term ended badly"));
                 case 2 -> throw new IllegalStateException("cannot start a term");
                 default -> client.leaderElector().withConfig(config).build().start();
             })) {
            leadership.start();
            awaitTrue(leadership::isLeader, "the third attempt wins the Lease");
            assertThat(attempts.get()).isEqualTo(3);
            assertThat(admin.leases().inNamespace(ns).withName(options.leaseName()).get().getSpec().getHolderIdentity())
                    .isEqualTo(options.identity());
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(m -> assertThat(m).contains("leader election ended").contains("term ended badly"))
                    .anySatisfy(m -> assertThat(m).contains("leader election could not start").contains("cannot start a term"));
        } finally {
            logger.detachAppender(log);
        }
    }
}
