package dev.pier;

import dev.pier.model.ObjectRef;
import dev.pier.model.ObjectStatus;
import dev.pier.model.RoutingTable;
import dev.pier.model.TlsCertificate;
import java.util.ArrayList;
import java.util.HashMap;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether configuration is getting through: the last apply's outcome and when one last succeeded,
 * failures by source ({@code files} or {@code kubernetes}: a file that does not parse, a rebuild
 * that threw), and how many objects of each kind have problems (from translation's typed
 * problems), and when each served certificate expires. An alert on {@code pier_config_last_apply_success == 0} catches a change that never
 * went live while the last good table keeps serving.
 */
final class ConfigMeters {
    private final MeterRegistry registry;
    private final AtomicInteger lastApplySuccess = new AtomicInteger(1);
    private final AtomicLong lastSuccessMillis = new AtomicLong();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    // Kinds seen so far keep their gauge (at 0 once fixed): a handful of kinds, so no churn to bound.
    private final Map<String, AtomicInteger> withProblems = new ConcurrentHashMap<>();
    /** Expiry of each certificate Secret the live table serves; a Secret that left takes its gauge along. */
    private final Map<ObjectRef, CertificateExpiry> expiries = new HashMap<>();

    private record CertificateExpiry(AtomicLong notAfterSeconds, Gauge gauge) {}

    ConfigMeters(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("pier.config.last.apply.success", lastApplySuccess, AtomicInteger::doubleValue)
                .description("1 when the last configuration change was applied, 0 when it failed (the last good table keeps serving)")
                .register(registry);
        Gauge.builder("pier.config.last.apply.success.timestamp", lastSuccessMillis, ms -> ms.get() / 1000.0)
                .baseUnit("seconds")
                .description("Unix time of the last configuration applied successfully")
                .register(registry);
    }

    void applied(RoutingTable table, List<ObjectStatus> statuses, long epochMillis) {
        lastApplySuccess.set(1);
        lastSuccessMillis.set(epochMillis);
        certificates(table);
        Map<String, Integer> byKind = new TreeMap<>();
        for (ObjectStatus status : statuses) {
            if (!status.problems().isEmpty()) byKind.merge(status.object().kind(), 1, Integer::sum);
        }
        withProblems.forEach((kind, gauge) -> gauge.set(byKind.getOrDefault(kind, 0)));
        byKind.forEach((kind, n) -> withProblems.computeIfAbsent(kind, k -> {
            AtomicInteger gauge = new AtomicInteger();
            Gauge.builder("pier.config.objects.with.problems", gauge, AtomicInteger::doubleValue)
                    .description("Objects whose translation reported at least one problem, by kind")
                    .tag("kind", k).register(registry);
            return gauge;
        }).set(n));
    }

    /** Called from the rebuild thread only. */
    private void certificates(RoutingTable table) {
        Map<ObjectRef, Long> now = new HashMap<>();
        List<TlsCertificate> all = new ArrayList<>(table.certificates());
        if (table.defaultCertificate() != null) all.add(table.defaultCertificate());
        for (TlsCertificate c : all) now.merge(c.secret(), c.notAfter().getEpochSecond(), Math::min);
        expiries.entrySet().removeIf(e -> {
            if (now.containsKey(e.getKey())) return false;
            registry.remove(e.getValue().gauge());
            return true;
        });
        now.forEach((secret, notAfter) -> expiries.computeIfAbsent(secret, s -> {
            AtomicLong value = new AtomicLong();
            Gauge gauge = Gauge.builder("pier.tls.certificate.expiry.timestamp", value, AtomicLong::doubleValue)
                    .baseUnit("seconds")
                    .description("Unix time at which a served certificate (its TLS Secret) expires")
                    .tags("namespace", s.namespace(), "secret", s.name()).register(registry);
            return new CertificateExpiry(value, gauge);
        }).notAfterSeconds().set(notAfter));
    }

    void failed(String source) {
        lastApplySuccess.set(0);
        failures.computeIfAbsent(source, s -> Counter.builder("pier.config.apply.failures")
                .description("Configuration changes that could not be applied, by source")
                .tag("source", s).register(registry)).increment();
    }
}
