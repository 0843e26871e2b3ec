package dev.pier.source.kube;

import dev.pier.translate.TranslateOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the cluster source, from the command line.
 *
 * @param watchNamespaces  {@code --watch-namespace}: namespaces to watch; empty = all
 * @param translate        what translation needs (class, controller name, ExternalName)
 * @param publishService   {@code --publish-service ns/name}: Ingress status copies that Service's load balancer; or null
 * @param publishAddress   {@code --publish-address}: comma-separated IPs or hostnames for Ingress status; or null
 * @param leaseNamespace   namespace of the leader-election Lease
 * @param leaseName        name of the Lease
 * @param identity         this replica's name in the Lease (the pod name)
 * @param leaseDuration    how long a leader's claim lasts without renewal
 * @param renewDeadline    how long the leader keeps retrying a renewal before it stops leading
 * @param retryPeriod      how often candidates try to acquire, and the leader renews
 * @param holdOff          quiet time after the last event before a rebuild of the changes that came during the previous one
 * @param maxHoldOff       longest a rebuild waits under a steady stream of events
 */
public record KubeSourceOptions(Set<String> watchNamespaces, TranslateOptions translate, String publishService,
                                String publishAddress, String leaseNamespace, String leaseName, String identity,
                                Duration leaseDuration, Duration renewDeadline, Duration retryPeriod,
                                Duration holdOff, Duration maxHoldOff) {
    public KubeSourceOptions {
        watchNamespaces = Set.copyOf(watchNamespaces);
        Objects.requireNonNull(translate, "translate");
        Objects.requireNonNull(leaseNamespace, "leaseNamespace");
        Objects.requireNonNull(leaseName, "leaseName");
        Objects.requireNonNull(identity, "identity");
        if (publishService != null && !publishService.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
            throw new IllegalArgumentException("--publish-service must be namespace/name, got '" + publishService + "'");
        }
        if (publishService != null && publishAddress != null) {
            throw new IllegalArgumentException("--publish-service and --publish-address exclude each other; give one");
        }
        if (!renewDeadline.minus(leaseDuration).isNegative() || !retryPeriod.minus(renewDeadline).isNegative()) {
            throw new IllegalArgumentException("leader election needs retryPeriod < renewDeadline < leaseDuration");
        }
    }

    /** Defaults as client-go's: 15 s lease, 10 s renew deadline, 2 s retry; 100 ms hold-off capped at 1 s. */
    public static KubeSourceOptions defaults(String leaseNamespace, String identity) {
        return new KubeSourceOptions(Set.of(), TranslateOptions.DEFAULTS, null, null, leaseNamespace, "pier-leader",
                identity, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2),
                Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    public KubeSourceOptions withWatchNamespaces(Set<String> namespaces) {
        return new KubeSourceOptions(namespaces, translate, publishService, publishAddress, leaseNamespace, leaseName,
                identity, leaseDuration, renewDeadline, retryPeriod, holdOff, maxHoldOff);
    }

    public KubeSourceOptions withTranslate(TranslateOptions options) {
        return new KubeSourceOptions(watchNamespaces, options, publishService, publishAddress, leaseNamespace, leaseName,
                identity, leaseDuration, renewDeadline, retryPeriod, holdOff, maxHoldOff);
    }

    public KubeSourceOptions withPublishService(String namespaceAndName) {
        return new KubeSourceOptions(watchNamespaces, translate, namespaceAndName, null, leaseNamespace, leaseName,
                identity, leaseDuration, renewDeadline, retryPeriod, holdOff, maxHoldOff);
    }

    public KubeSourceOptions withPublishAddress(String addresses) {
        return new KubeSourceOptions(watchNamespaces, translate, null, addresses, leaseNamespace, leaseName,
                identity, leaseDuration, renewDeadline, retryPeriod, holdOff, maxHoldOff);
    }

    public KubeSourceOptions withLease(String name, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        return new KubeSourceOptions(watchNamespaces, translate, publishService, publishAddress, leaseNamespace, name,
                identity, leaseDuration, renewDeadline, retryPeriod, holdOff, maxHoldOff);
    }
}
