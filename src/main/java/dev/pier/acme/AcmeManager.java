package dev.pier.acme;

import dev.pier.model.AcmeCertificate;
import dev.pier.model.AcmeChallenge;
import dev.pier.model.ObjectRef;
import dev.pier.tls.CertificateKeyPair;
import dev.pier.translate.AcmeSecrets;
import dev.pier.translate.CertificateRefs;
import dev.pier.translate.TranslationResult;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.OrderBuilder;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeRetryAfterException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.exception.AcmeUserActionRequiredException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orders and renews the certificates translation asks for ({@link AcmeCertificate}), on its own
 * thread ("pier-acme": acme4j blocks on the network), and only while this replica leads: every
 * replica runs one, the Lease holder's does the work. All it knows between tries is in the
 * certificate's Secret ({@link AcmeSecrets}), so a new leader, or this one after a restart, picks
 * up where the last one stopped:
 *
 * <ol>
 *   <li>an order in progress (its URL and key are in the Secret) is resumed; a new one is placed only
 *       when there is none, or the CA has given it up; so one order never becomes two certificates;</li>
 *   <li>the challenge answers are written into the Secret; every replica serves them from its table;
 *       once this replica's own data plane serves them, and {@link AcmeOptions#settle()} later, the CA is
 *       asked to validate;</li>
 *   <li>the issued chain and key replace {@code tls.crt}/{@code tls.key}: every replica serves it;</li>
 *   <li>renewal at two thirds of the lifetime (within the CA's renewal window when it has ARI);</li>
 *   <li>a failure is counted in the Secret and the next try waits ({@link Backoff}, at least the CA's
 *       Retry-After), across leaders too: never a tight loop.</li>
 * </ol>
 */
public final class AcmeManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeManager.class);
    /** How long an order's CA-side steps (validation, issuance) may take before the try counts as failed. */
    private static final Duration CA_TIMEOUT = Duration.ofMinutes(2);
    /** How often the status of a challenge or order is asked while the CA gives no Retry-After. */
    private static final Duration POLL = Duration.ofMillis(500);
    /** How long the leader waits for its own data plane to serve a challenge answer it wrote. */
    private static final Duration SERVE_TIMEOUT = Duration.ofSeconds(60);
    /** How often the CA's renewal information is asked again for a certificate. */
    private static final Duration ARI_REFRESH = Duration.ofHours(6);
    /** The longest the thread sleeps without looking again (a missed wake-up costs no more than this). */
    private static final Duration MAX_SLEEP = Duration.ofMinutes(1);

    private final AcmeOptions options;
    private final SecretStore store;
    private final BooleanSupplier leader;
    private final Clock clock;
    private final Backoff backoff;
    private final Counter issued;
    private final Counter failed;
    private final Thread thread;

    private final Object lock = new Object();
    // Guarded by lock: what translation asks for, and the challenge answers this replica's table serves.
    private List<AcmeCertificate> wanted = List.of();
    private Set<String> served = Set.of();
    private boolean closed;
    private boolean wake;

    // The ACME thread's own.
    private final Map<ObjectRef, Instant> nextCheck = new HashMap<>();
    private final Map<ObjectRef, List<String>> checkedHosts = new HashMap<>();
    private final Map<String, Instant> renewalInfoAsked = new HashMap<>();
    private boolean leading;
    private AcmeCa ca;
    private Login login;

    /**
     * @param leader whether this replica may order now (the Lease holder; always in file mode)
     */
    public AcmeManager(AcmeOptions options, SecretStore store, BooleanSupplier leader, MeterRegistry metrics, Clock clock) {
        this.options = options;
        this.store = store;
        this.leader = leader;
        this.clock = clock;
        this.backoff = new Backoff(options.retryBase(), options.retryMax(), () -> ThreadLocalRandom.current().nextDouble());
        this.issued = Counter.builder("pier.acme.certificates.issued").description("Certificates issued to Pier over ACME")
                .register(metrics);
        this.failed = Counter.builder("pier.acme.failures").description("ACME tries that failed (each followed by a backoff)")
                .register(metrics);
        this.thread = new Thread(this::run, "pier-acme");
        this.thread.setDaemon(true);
    }

    /** The store for cluster mode: Secrets in the API server, the account key in {@code namespace}. */
    public static SecretStore kubeStore(io.fabric8.kubernetes.client.KubernetesClient client, String controllerName,
                                        String identity, String namespace) {
        return new KubeSecretStore(client, controllerName, identity, namespace);
    }

    /** The store for file mode: Secrets as YAML files in {@code directory}. */
    public static SecretStore directoryStore(java.nio.file.Path directory) throws IOException {
        return new DirectorySecretStore(directory);
    }

    public void start() {
        thread.start();
    }

    /** A translation went live: what to order, and which challenge answers this replica serves now. Never blocks. */
    public void published(TranslationResult result) {
        Set<String> answers = new HashSet<>();
        for (AcmeChallenge c : result.table().acmeChallenges()) answers.add(c.type() + " " + c.hostname() + " " + c.keyAuthorization());
        synchronized (lock) {
            wanted = result.acmeCertificates();
            served = Set.copyOf(answers);
            wake = true;
            lock.notifyAll();
        }
    }

    /** Leadership was won or lost: look again at once. */
    public void leadershipChanged() {
        synchronized (lock) {
            wake = true;
            lock.notifyAll();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            List<AcmeCertificate> due = new ArrayList<>();
            try {
                synchronized (lock) {
                    long sleep = sleepMillis();
                    while (!closed && !wake && sleep > 0) {
                        lock.wait(sleep);
                        sleep = sleepMillis();
                    }
                    if (closed) return;
                    wake = false;
                }
                if (!leader.getAsBoolean()) {
                    if (leading) LOG.info("ACME: not the leader any more; another replica orders and renews");
                    leading = false;
                    nextCheck.clear(); // a new term looks at everything again
                    checkedHosts.clear();
                    login = null;
                    continue;
                }
                if (!leading) LOG.info("ACME: leading; ordering and renewing certificates from {}", options.directory());
                leading = true;
                Instant now = clock.instant();
                for (AcmeCertificate c : currentWanted()) {
                    Instant next = nextCheck.get(c.secret());
                    if (next == null || !now.isBefore(next) || !c.hostnames().equals(checkedHosts.get(c.secret()))) due.add(c);
                }
                for (AcmeCertificate c : due) {
                    if (closed() || !leader.getAsBoolean()) break;
                    checkedHosts.put(c.secret(), c.hostnames());
                    process(c);
                }
            } catch (InterruptedException e) {
                if (closed()) return;
            } catch (RuntimeException e) {
                LOG.error("ACME: unexpected failure; looking again in a minute", e);
                for (AcmeCertificate c : due) nextCheck.putIfAbsent(c.secret(), clock.instant().plus(MAX_SLEEP));
            }
        }
    }

    private List<AcmeCertificate> currentWanted() {
        synchronized (lock) {
            return wanted;
        }
    }

    private boolean closed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Until the earliest check due (guarded by lock); 0 when one is due now. */
    private long sleepMillis() {
        Instant now = clock.instant();
        Instant earliest = now.plus(MAX_SLEEP);
        if (leader.getAsBoolean() != leading) return 0;
        if (leading) {
            for (AcmeCertificate c : wanted) {
                Instant next = nextCheck.get(c.secret());
                if (next == null || !c.hostnames().equals(checkedHosts.get(c.secret()))) return 0;
                if (next.isBefore(earliest)) earliest = next;
            }
        }
        return Math.max(0, Duration.between(now, earliest).toMillis());
    }

    // --- one certificate ---

    /** Looks at one wanted certificate and does what it needs now: nothing, order, resume, or renew. */
    private void process(AcmeCertificate want) throws InterruptedException {
        ObjectRef ref = want.secret();
        Instant now = clock.instant();
        Secret secret;
        try {
            secret = store.get(ref);
        } catch (IOException e) {
            LOG.warn("ACME: {}; looking again in 30 s", e.getMessage());
            nextCheck.put(ref, now.plusSeconds(30));
            return;
        }
        if (secret != null && !AcmeSecrets.owned(secret)) {
            nextCheck.put(ref, now.plus(Duration.ofHours(1))); // translation reports SecretNotOwned; Pier never writes it
            return;
        }
        Stored stored = Stored.of(secret);
        if (stored.retryAt != null && now.isBefore(stored.retryAt)) {
            nextCheck.put(ref, stored.retryAt);
            return;
        }
        boolean renewing = false;
        if (stored.order == null && stored.certificate != null && stored.hosts.equals(want.hostnames())
                && options.directory().toString().equals(stored.directory)) {
            Instant renewAt = renewAt(stored);
            if (now.isBefore(renewAt)) {
                if (!renewAt.equals(stored.renewAt)) secret = annotate(secret, Map.of(AcmeSecrets.RENEW_AT, renewAt.toString()));
                nextCheck.put(ref, renewAt);
                return;
            }
            LOG.info("ACME: renewing the certificate of Secret {}/{} for {} (it expires at {})", ref.namespace(), ref.name(),
                    want.hostnames(), stored.certificate.notAfter());
            renewing = true;
        }
        Attempt attempt = new Attempt(want, secret, stored, renewing);
        try {
            attempt.run();
            issued.increment();
            nextCheck.put(ref, attempt.renewAt);
        } catch (SecretStore.Conflict | LostLeadership e) {
            LOG.info("ACME: stopped working on Secret {}/{}: {}", ref.namespace(), ref.name(), e.getMessage());
            nextCheck.put(ref, clock.instant().plusSeconds(5));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            failed.increment();
            nextCheck.put(ref, attempt.failed(e));
        }
    }

    /**
     * When to renew: two thirds into the certificate's lifetime; with the CA's renewal information
     * (ARI), moved into the window it suggests (sooner when the CA says so, as after a revocation).
     */
    private Instant renewAt(Stored stored) {
        CertificateKeyPair cert = stored.certificate;
        Instant twoThirds = cert.notBefore().plus(Duration.between(cert.notBefore(), cert.notAfter()).multipliedBy(2).dividedBy(3));
        Instant asked = renewalInfoAsked.get(cert.fingerprint());
        if (stored.renewAt != null && asked != null && clock.instant().isBefore(asked.plus(ARI_REFRESH))) return stored.renewAt;
        renewalInfoAsked.put(cert.fingerprint(), clock.instant());
        try {
            if (ca().hasRenewalInfo()) {
                var info = login().bindRenewalInfo(cert.chain().get(0));
                Instant start = info.getSuggestedWindowStart();
                Instant end = info.getSuggestedWindowEnd();
                if (twoThirds.isBefore(start)) return start;
                if (twoThirds.isAfter(end)) return end;
            }
        } catch (AcmeException | IOException | CaUnusable e) {
            LOG.debug("ACME: no renewal information for {}: {}", cert.fingerprint(), e.toString());
        }
        return twoThirds;
    }

    private AcmeCa ca() throws IOException {
        if (ca == null) ca = new AcmeCa(options);
        return ca;
    }

    private Login login() throws AcmeException, IOException, CaUnusable {
        if (login == null) {
            try {
                login = ca().login(store.accountKey());
            } catch (AcmeCa.AccountRefused e) {
                throw new CaUnusable(e.getMessage());
            }
        }
        return login;
    }

    /** Adds annotations to a Secret, best effort (a lost write only means it is computed again). */
    private Secret annotate(Secret secret, Map<String, String> annotations) {
        if (secret == null || !leader.getAsBoolean()) return secret;
        Secret changed = new SecretBuilder(secret).editMetadata().addToAnnotations(annotations).endMetadata().build();
        try {
            return store.update(changed);
        } catch (IOException | SecretStore.Conflict e) {
            return secret;
        }
    }

    /** One try at getting a certificate for a wanted Secret, and what it writes into it on the way. */
    private final class Attempt {
        private final AcmeCertificate want;
        private final Stored stored;
        private final boolean renewing;
        private Secret secret;
        private Order order;
        private Instant renewAt;
        private String step = "logging in to the CA";

        Attempt(AcmeCertificate want, Secret secret, Stored stored, boolean renewing) {
            this.want = want;
            this.secret = secret;
            this.stored = stored;
            this.renewing = renewing;
        }

        void run() throws Exception {
            Login account = login();
            KeyPair key = resume(account);
            if (order == null) {
                step = "placing the order";
                key = ca().newCertificateKey();
                OrderBuilder builder = account.newOrder().domains(want.hostnames());
                if (options.profile() != null) builder.profile(options.profile());
                if (renewing && ca().hasRenewalInfo()) builder.replaces(stored.certificate.chain().get(0));
                order = builder.create();
                KeyPair orderKey = key;
                write(s -> {
                    put(s, AcmeSecrets.ORDER_KEY, AcmeCa.pem(orderKey));
                    annotations(s).put(AcmeSecrets.ORDER, order.getLocation().toString());
                    annotations(s).put(AcmeSecrets.ORDER_HOSTS, String.join(",", want.hostnames()));
                    dropChallenges(s);
                });
                LOG.info("ACME: ordered a certificate for {} into Secret {}/{} ({})", want.hostnames(), want.secret().namespace(),
                        want.secret().name(), order.getLocation());
            }
            answerChallenges();
            step = "finalizing the order";
            order.fetch();
            if (order.getStatus() == Status.READY) order.execute(key);
            Status status = awaitStatus(order, Set.of(Status.VALID, Status.INVALID));
            if (status != Status.VALID) {
                throw new OrderProblem("the order ended " + status + order.getError().map(p -> ": " + p).orElse(""), true);
            }
            step = "downloading the certificate";
            StringWriter chain = new StringWriter();
            order.getCertificate().writeCertificate(chain);
            CertificateKeyPair issuedPair = CertificateKeyPair.parse(chain.toString(), AcmeCa.privatePem(key));
            KeyPair servedKey = key;
            Stored fresh = new Stored(issuedPair, want.hostnames(), options.directory().toString(), null, null, null, 0, null);
            renewAt = renewAt(fresh);
            write(s -> {
                put(s, "tls.crt", chain.toString());
                put(s, "tls.key", AcmeCa.privatePem(servedKey));
                s.getData().remove(AcmeSecrets.ORDER_KEY);
                dropChallenges(s);
                Map<String, String> a = annotations(s);
                a.put(AcmeSecrets.HOSTS, String.join(",", want.hostnames()));
                a.put(AcmeSecrets.DIRECTORY, options.directory().toString());
                a.put(AcmeSecrets.RENEW_AT, renewAt.toString());
                for (String k : List.of(AcmeSecrets.ORDER, AcmeSecrets.ORDER_HOSTS, AcmeSecrets.FAILURES, AcmeSecrets.RETRY_AT,
                        AcmeSecrets.LAST_ERROR, AcmeSecrets.LAST_ERROR_REASON)) a.remove(k);
            });
            String message = "certificate " + issuedPair.fingerprint() + " for " + want.hostnames() + " issued, valid until "
                    + issuedPair.notAfter() + "; renewal from " + renewAt;
            LOG.info("ACME: Secret {}/{}: {}", want.secret().namespace(), want.secret().name(), message);
            store.announce(want.requesters(), renewing ? "CertificateRenewed" : "CertificateIssued",
                    "Secret " + want.secret().namespace() + "/" + want.secret().name() + ": " + message);
        }

        /** The order in progress from the Secret, if the CA still has it for these hosts; its key. */
        private KeyPair resume(Login account) throws IOException {
            if (stored.order == null || stored.orderKey == null || !want.hostnames().equals(stored.orderHosts)) return null;
            step = "resuming the order";
            try {
                Order known = account.bindOrder(new URL(stored.order));
                known.fetch();
                Status status = known.getStatus();
                if (status == Status.PENDING || status == Status.READY || status == Status.PROCESSING || status == Status.VALID) {
                    LOG.info("ACME: resuming order {} ({}) for {}", stored.order, status, want.hostnames());
                    order = known;
                    return AcmeCa.keyPair(stored.orderKey);
                }
                LOG.info("ACME: order {} is {}; placing a new one", stored.order, status);
            } catch (AcmeException | IllegalArgumentException e) {
                LOG.info("ACME: order {} cannot be resumed ({}); placing a new one", stored.order, e.toString());
            }
            return null;
        }

        /** Publishes the answers of the pending authorizations, waits until they are served, then has the CA validate. */
        private void answerChallenges() throws Exception {
            Map<String, Challenge> pending = new LinkedHashMap<>();
            for (Authorization authorization : order.getAuthorizations()) {
                if (authorization.getStatus() == Status.VALID) continue;
                if (authorization.getStatus() != Status.PENDING) {
                    throw new OrderProblem("the authorization of " + authorization.getIdentifier().getDomain() + " is "
                            + authorization.getStatus(), true);
                }
                String host = authorization.getIdentifier().getDomain();
                Challenge challenge = options.challenge() == AcmeOptions.ChallengeType.HTTP_01
                        ? authorization.findChallenge(Http01Challenge.class).orElse(null)
                        : authorization.findChallenge(TlsAlpn01Challenge.class).orElse(null);
                if (challenge == null) {
                    throw new OrderProblem("the CA offers no " + options.challenge().wireName() + " challenge for " + host
                            + " (it offers " + authorization.getChallenges().stream().map(Challenge::getType).toList() + ")", true);
                }
                pending.put(host, challenge);
            }
            if (pending.isEmpty()) return;
            step = "publishing the challenge answers";
            String prefix = options.challenge() == AcmeOptions.ChallengeType.HTTP_01 ? AcmeSecrets.HTTP01_PREFIX : AcmeSecrets.TLSALPN01_PREFIX;
            write(s -> {
                dropChallenges(s);
                pending.forEach((host, c) -> put(s, prefix + host, keyAuthorization(c)));
            });
            AcmeChallenge.Type type = options.challenge() == AcmeOptions.ChallengeType.HTTP_01
                    ? AcmeChallenge.Type.HTTP_01 : AcmeChallenge.Type.TLS_ALPN_01;
            List<String> answers = new ArrayList<>();
            pending.forEach((host, c) -> answers.add(type + " " + host + " " + keyAuthorization(c)));
            step = "waiting for the data plane to serve the challenge answers";
            awaitServed(answers);
            if (!options.settle().isZero()) Thread.sleep(options.settle().toMillis());
            step = "validating " + options.challenge().wireName();
            for (Challenge c : pending.values()) {
                if (c.getStatus() == Status.PENDING) c.trigger();
            }
            for (Map.Entry<String, Challenge> e : pending.entrySet()) {
                Status status = awaitStatus(e.getValue(), Set.of(Status.VALID, Status.INVALID));
                if (status != Status.VALID) {
                    throw new OrderProblem("the CA could not validate " + e.getKey() + " over " + options.challenge().wireName()
                            + e.getValue().getError().map(p -> ": " + p).orElse(""), true);
                }
            }
        }

        /**
         * Polls until the resource reaches one of {@code done}: at the CA's Retry-After when it gives one,
         * else every {@link #POLL} (acme4j's own wait polls every 3 s, which is most of an issuance against
         * a fast CA); fails after {@link #CA_TIMEOUT}.
         */
        private Status awaitStatus(org.shredzone.acme4j.PollableResource resource, Set<Status> done)
                throws AcmeException, InterruptedException, OrderProblem {
            long deadline = System.nanoTime() + CA_TIMEOUT.toNanos();
            while (true) {
                Instant retryAfter = resource.fetch().orElse(null);
                Status status = resource.getStatus();
                if (done.contains(status)) return status;
                long wait = retryAfter == null ? POLL.toMillis()
                        : Math.max(POLL.toMillis() / 4, Duration.between(clock.instant(), retryAfter).toMillis());
                if (System.nanoTime() + wait * 1_000_000 > deadline) {
                    throw new OrderProblem("the CA left it " + status + " for more than " + CA_TIMEOUT.toMinutes() + " minutes", false);
                }
                Thread.sleep(wait);
            }
        }

        private String keyAuthorization(Challenge c) {
            return ((org.shredzone.acme4j.challenge.TokenChallenge) c).getAuthorization();
        }

        private void awaitServed(Collection<String> answers) throws InterruptedException, OrderProblem {
            long deadline = System.nanoTime() + SERVE_TIMEOUT.toNanos();
            synchronized (lock) {
                while (!served.containsAll(answers)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new OrderProblem("the challenge answers written into the Secret were not served within "
                                + SERVE_TIMEOUT.toSeconds() + " s (is the Secret's namespace watched?)", false);
                    }
                    if (closed) throw new InterruptedException("closed");
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            }
        }

        /**
         * Records the failure in the Secret (failures in a row, next try, last error) and returns when
         * to look again. A try that cannot even write this is looked at again after the backoff too.
         */
        Instant failed(Exception e) {
            Instant now = clock.instant();
            int failures = stored.failures + 1;
            Instant retryAt = backoff.next(now, failures, retryAfter(e));
            String reason = reason(e);
            String message = step + ": " + oneLine(e);
            LOG.warn("ACME: Secret {}/{} for {}: {} ({}); try {} failed, the next is at {}", want.secret().namespace(),
                    want.secret().name(), want.hostnames(), message, reason, failures, retryAt);
            boolean orderDead = e instanceof OrderProblem p && p.orderDead;
            try {
                write(s -> {
                    dropChallenges(s);
                    Map<String, String> a = annotations(s);
                    a.put(AcmeSecrets.FAILURES, Integer.toString(failures));
                    a.put(AcmeSecrets.RETRY_AT, retryAt.toString());
                    a.put(AcmeSecrets.LAST_ERROR_REASON, reason);
                    a.put(AcmeSecrets.LAST_ERROR, reason + ": " + (message.length() > 900 ? message.substring(0, 900) : message));
                    if (orderDead) {
                        a.remove(AcmeSecrets.ORDER);
                        a.remove(AcmeSecrets.ORDER_HOSTS);
                        s.getData().remove(AcmeSecrets.ORDER_KEY);
                    }
                });
            } catch (Exception writeFailed) {
                LOG.warn("ACME: could not record the failure in Secret {}/{}: {}", want.secret().namespace(), want.secret().name(),
                        writeFailed.toString());
            }
            return retryAt;
        }

        /** Read-modify-write of the Secret at the version last seen; creates it (empty certificate) when absent. */
        private void write(Consumer<Secret> change) throws IOException, SecretStore.Conflict, LostLeadership {
            if (!leader.getAsBoolean()) throw new LostLeadership();
            Secret next = secret == null ? newSecret(want.secret()) : new SecretBuilder(secret).build();
            if (next.getData() == null) next.setData(new LinkedHashMap<>());
            else next.setData(new LinkedHashMap<>(next.getData()));
            if (next.getStringData() != null) { // hand-written form: keep it, as data
                next.getStringData().forEach((k, v) -> next.getData().put(k, base64(v)));
                next.setStringData(null);
            }
            if (next.getMetadata().getAnnotations() == null) next.getMetadata().setAnnotations(new LinkedHashMap<>());
            else next.getMetadata().setAnnotations(new LinkedHashMap<>(next.getMetadata().getAnnotations()));
            change.accept(next);
            secret = secret == null ? store.create(next) : store.update(next);
        }
    }

    private static Secret newSecret(ObjectRef ref) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("tls.crt", "");
        data.put("tls.key", "");
        return new SecretBuilder().withNewMetadata().withNamespace(ref.namespace()).withName(ref.name())
                .addToLabels(AcmeSecrets.MANAGED_BY_LABEL, AcmeSecrets.MANAGED_BY).endMetadata()
                .withType(CertificateRefs.TLS_SECRET_TYPE).withData(data).build();
    }

    private static Map<String, String> annotations(Secret s) {
        return s.getMetadata().getAnnotations();
    }

    private static void put(Secret s, String key, String text) {
        s.getData().put(key, base64(text));
    }

    private static void dropChallenges(Secret s) {
        s.getData().keySet().removeIf(k -> k.startsWith(AcmeSecrets.HTTP01_PREFIX) || k.startsWith(AcmeSecrets.TLSALPN01_PREFIX));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The CA's Retry-After, when it gave one. */
    private static Instant retryAfter(Exception e) {
        if (e instanceof AcmeRateLimitedException r) return r.getRetryAfter().orElse(null);
        if (e instanceof AcmeRetryAfterException r) return r.getRetryAfter();
        return null;
    }

    /** One CamelCase word for the failure, shown in the condition message and the log. */
    private static String reason(Exception e) {
        if (e instanceof AcmeRateLimitedException) return "RateLimited";
        if (e instanceof AcmeUserActionRequiredException) return "UserActionRequired";
        if (e instanceof CaUnusable) return "AccountRefused";
        if (e instanceof OrderProblem) return "ValidationFailed";
        if (e instanceof AcmeNetworkException || e instanceof IOException) return "CaUnreachable";
        if (e instanceof AcmeServerException) return "CaRefused";
        return "Failed";
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null && !message.contains(e.getCause().getMessage())) {
            message = message + ": " + e.getCause().getMessage();
        }
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** What a stored Secret says, read once per look. */
    private record Stored(CertificateKeyPair certificate, List<String> hosts, String directory, String order,
                          List<String> orderHosts, String orderKey, int failures, Instant retryAt, Instant renewAt) {
        Stored(CertificateKeyPair certificate, List<String> hosts, String directory, String order, List<String> orderHosts,
               String orderKey, int failures, Instant retryAt) {
            this(certificate, hosts, directory, order, orderHosts, orderKey, failures, retryAt, null);
        }

        static Stored of(Secret secret) {
            if (secret == null) return new Stored(null, List.of(), null, null, null, null, 0, null);
            Map<String, String> a = secret.getMetadata().getAnnotations() == null ? Map.of() : secret.getMetadata().getAnnotations();
            Map<String, String> data = AcmeSecrets.data(secret);
            CertificateKeyPair certificate = null;
            if (!data.getOrDefault("tls.crt", "").isBlank()) {
                try {
                    certificate = CertificateKeyPair.parse(data.get("tls.crt"), data.get("tls.key"));
                } catch (CertificateKeyPair.InvalidCertificate e) {
                    // unusable: ordered anew
                }
            }
            int failures = AcmeSecrets.read(secret).failures();
            return new Stored(certificate, hosts(a.get(AcmeSecrets.HOSTS)), a.get(AcmeSecrets.DIRECTORY), a.get(AcmeSecrets.ORDER),
                    hosts(a.get(AcmeSecrets.ORDER_HOSTS)), data.get(AcmeSecrets.ORDER_KEY), failures,
                    AcmeSecrets.instant(a.get(AcmeSecrets.RETRY_AT)), AcmeSecrets.instant(a.get(AcmeSecrets.RENEW_AT)));
        }

        private static List<String> hosts(String csv) {
            if (csv == null || csv.isBlank()) return List.of();
            List<String> out = new ArrayList<>(List.of(csv.split(",")));
            out.replaceAll(String::strip);
            out.sort(null);
            return List.copyOf(out);
        }
    }

    /** The CA cannot be used as configured (terms not agreed, no external account binding). */
    private static final class CaUnusable extends Exception {
        CaUnusable(String message) {
            super(message);
        }
    }

    /** An order or authorization the CA turned down; {@code orderDead}: a new order is needed next time. */
    private static final class OrderProblem extends Exception {
        final boolean orderDead;

        OrderProblem(String message, boolean orderDead) {
            super(message);
            this.orderDead = orderDead;
        }
    }

    /** This replica stopped leading mid-try: it writes nothing more, the new leader goes on from the Secret. */
    private static final class LostLeadership extends Exception {
        LostLeadership() {
            super("this replica is not the leader any more");
        }
    }

    @Override
    public String toString() {
        return "AcmeManager[" + options.directory() + "]";
    }
}
