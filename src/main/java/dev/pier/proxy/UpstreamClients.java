package dev.pier.proxy;

import dev.pier.model.BackendProtocol;
import dev.pier.model.BackendTls;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's upstream clients, one per way of speaking to backends: HTTP/1.1 to an address
 * over Pier's own pool ({@link BackendPool}, the common case and the hot path), and Vert.x's
 * clients for the rest: HTTP/1.1 to a DNS name and websocket upgrades, HTTP/2 in cleartext (prior
 * knowledge), and one per distinct TLS setting, made on first use and shut down gracefully once no
 * live table uses it. Each pools connections per endpoint. Only its event loop touches it, so plain maps.
 */
final class UpstreamClients {
    /** How long a TLS client no table uses any more lets its requests in flight finish. */
    private static final Duration RETIRED_GRACE = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final ProxyOptions options;
    private final PoolOptions pool;
    private final BackendPool http1Pool;
    private final HttpClientAgent http1;
    private final HttpClientAgent h2c;
    private final Map<BackendTls, HttpClientAgent> tls = new HashMap<>();

    /** @param loop the event loop of the server instance these clients serve */
    UpstreamClients(Vertx vertx, EventLoop loop, ProxyOptions options) {
        this.vertx = vertx;
        this.options = options;
        int loops = options.eventLoops();
        // ProxyOptions counts connections per endpoint over the whole process; each loop has its own pools.
        // An HTTP/2 pool opens another connection only when the ones it has reach the backend's stream limit.
        int perLoop = Math.max(1, ceilDiv(options.maxConnectionsPerEndpoint(), loops));
        this.pool = new PoolOptions()
                .setHttp1MaxSize(perLoop)
                .setHttp2MaxSize(perLoop)
                .setMaxWaitQueueSize(Math.max(0, ceilDiv(options.maxWaitQueue(), loops)));
        this.http1Pool = new BackendPool(vertx, loop, ((VertxInternal) vertx).transport().channelFactory(false), perLoop,
                Math.max(0, ceilDiv(options.maxWaitQueue(), loops)), BackendPool.KEEP_ALIVE_NANOS);
        this.http1 = build(base().setName("pier-upstream"));
        this.h2c = build(base().setName("pier-upstream-h2c")
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    }

    private HttpClientOptions base() {
        return new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
                .setDecompressionSupported(false)
                .setMaxHeaderSize(32 * 1024);
    }

    private HttpClientAgent build(HttpClientOptions clientOptions) {
        return vertx.httpClientBuilder().with(clientOptions).with(pool).build();
    }

    /** The client that speaks {@code protocol}; null for {@link BackendProtocol.Unavailable}. */
    HttpClientAgent of(BackendProtocol protocol) {
        if (protocol instanceof BackendProtocol.Http1) return http1;
        if (protocol instanceof BackendProtocol.H2c) return h2c;
        if (protocol instanceof BackendProtocol.Https https) return tls(https.tls());
        return null;
    }

    /** Pier's own HTTP/1.1 connections to endpoints given by address. */
    BackendPool http1Pool() {
        return http1Pool;
    }

    /** The HTTP/2 cleartext client, for code that speaks gRPC to an endpoint itself (e.g. transcoding). */
    HttpClientAgent h2c() {
        return h2c;
    }

    private HttpClientAgent tls(BackendTls settings) {
        HttpClientAgent client = tls.get(settings);
        if (client == null) {
            HttpClientOptions o = base().setName("pier-upstream-tls").setSsl(true).setForceSni(true);
            if (settings.verify()) {
                o.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(settings.caCertificates())))
                        .setVerifyHost(true);
            } else {
                o.setTrustAll(true).setVerifyHost(false);
            }
            client = build(o);
            tls.put(settings, client);
        }
        return client;
    }

    /** Shuts down, with a grace period, the TLS clients whose settings {@code live} no longer has. */
    void retainTls(Set<BackendTls> live) {
        for (Iterator<Map.Entry<BackendTls, HttpClientAgent>> it = tls.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<BackendTls, HttpClientAgent> e = it.next();
            if (!live.contains(e.getKey())) {
                e.getValue().shutdown(RETIRED_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                it.remove();
            }
        }
    }

    /** How many TLS clients this loop holds (for tests). */
    int tlsClients() {
        return tls.size();
    }

    Future<Void> close() {
        http1Pool.close();
        List<Future<Void>> closing = new ArrayList<>();
        closing.add(http1.close());
        closing.add(h2c.close());
        tls.values().forEach(c -> closing.add(c.close()));
        tls.clear();
        return Future.join(closing).mapEmpty();
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
