package dev.pier.deploy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady load as clients make it during a rollout: {@code connections} keep-alive HTTP/1.1
 * connections, each sending GETs one after another (a closed loop), every answer checked.
 * A failure is anything but a 200 whose body starts with {@code backend }: an error status, a
 * reset, a timeout. Bounded: it stops at {@link #stop()} or after {@code maxDuration}.
 */
final class SteadyLoad implements AutoCloseable {
    private final Vertx vertx;
    private final HttpClient client;
    private final RequestOptions request;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    private final Set<String> answeredBy = ConcurrentHashMap.newKeySet();
    private final long startNanos = System.nanoTime();
    private volatile long stopNanos;
    private final int connections;

    private SteadyLoad(Vertx vertx, URI target, String host, int connections, Duration maxDuration) {
        this.vertx = vertx;
        this.connections = connections;
        // Keep-alive, as browsers and service clients do; a server's Connection: close is honoured.
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(60)
                .setConnectTimeout(5_000), new PoolOptions().setHttp1MaxSize(connections));
        this.request = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.getHost()).setPort(target.getPort())
                .setURI("/").putHeader("host", host).setTimeout(10_000);
        vertx.setTimer(maxDuration.toMillis(), id -> running.set(false));
    }

    static SteadyLoad start(Vertx vertx, URI target, String host, int connections, Duration maxDuration) {
        SteadyLoad load = new SteadyLoad(vertx, target, host, connections, maxDuration);
        for (int i = 0; i < connections; i++) vertx.runOnContext(v -> load.next());
        return load;
    }

    private void next() {
        if (!running.get()) return;
        client.request(request)
                .compose(req -> req.send().compose(resp -> resp.body().map(body -> answer(resp, body))))
                .onComplete(ar -> {
                    if (ar.failed()) fail(ar.cause().getClass().getSimpleName() + ": " + ar.cause().getMessage());
                    else if (ar.result() != null) fail(ar.result());
                    next();
                });
    }

    /** Null when the answer is good; else what was wrong with it. */
    private String answer(HttpClientResponse resp, Buffer body) {
        String text = body.toString().strip();
        if (resp.statusCode() != 200 || !text.startsWith("backend ")) {
            return "status " + resp.statusCode() + ": " + text.substring(0, Math.min(80, text.length()));
        }
        ok.incrementAndGet();
        answeredBy.add(text.substring("backend ".length()));
        return null;
    }

    private void fail(String what) {
        failed.incrementAndGet();
        failures.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    long succeeded() {
        return ok.get();
    }

    long failed() {
        return failed.get();
    }

    /** Failure reasons and how often each happened. */
    Map<String, Long> failures() {
        Map<String, Long> copy = new TreeMap<>();
        failures.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** The backend pods (by name) that answered. */
    Set<String> answeredBy() {
        return Set.copyOf(answeredBy);
    }

    /** Stops sending and waits for the requests in flight. */
    void stop() throws InterruptedException {
        running.set(false);
        stopNanos = System.nanoTime();
        Thread.sleep(500);
    }

    /** E.g. "12034 requests in 41.2 s (292/s) over 4 keep-alive connections, 0 failed". */
    String summary() {
        double seconds = ((stopNanos == 0 ? System.nanoTime() : stopNanos) - startNanos) / 1e9;
        long total = ok.get() + failed.get();
        return String.format("%d requests in %.1f s (%.0f/s) over %d keep-alive connections, %d failed%s", total, seconds,
                total / seconds, connections, failed.get(), failed.get() == 0 ? "" : " " + failures());
    }

    @Override
    public void close() {
        running.set(false);
        try {
            client.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing at the end of a test
        }
    }
}
