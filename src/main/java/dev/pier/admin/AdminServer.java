package dev.pier.admin;

import dev.pier.LiveState;
import dev.pier.proxy.ExplainRequest;
import dev.pier.proxy.Explanation;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The admin port, on vertx-web's {@link Router}: {@code /healthz} (the process answers; GET or HEAD),
 * {@code /readyz} (200 once a table is live, and it stays 200 when a source is lost: the last
 * table keeps serving; 503 again from the start of a drain, so the pod leaves its Service's
 * endpoints), {@code /routes} (the live table, statuses and source errors as JSON),
 * {@code /metrics} (Prometheus) and {@code /debug/explain} (which route a described request takes
 * in the live table, and why). Read-only by construction: nothing here changes routing. It has no
 * authentication, so it listens on loopback unless told otherwise ({@link #listenAddresses}).
 */
public final class AdminServer {
    /** Where the admin port always listens. */
    public static final String LOOPBACK = "127.0.0.1";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final Vertx vertx;
    private final List<String> hosts;
    private final int port;
    private final LiveState state;
    private final PrometheusMeterRegistry metrics;
    private final Function<LiveState.View, String> routesJson;
    private final Function<ExplainRequest, Explanation> explain;
    private final List<HttpServer> servers = new ArrayList<>();
    private volatile boolean draining;

    /** @param hosts addresses to listen on, all on the same port (see {@link #listenAddresses}) */
    public AdminServer(Vertx vertx, List<String> hosts, int port, LiveState state, PrometheusMeterRegistry metrics,
                       Function<LiveState.View, String> routesJson, Function<ExplainRequest, Explanation> explain) {
        if (hosts.isEmpty()) throw new IllegalArgumentException("the admin port needs an address");
        this.vertx = vertx;
        this.hosts = List.copyOf(hosts);
        this.port = port;
        this.state = state;
        this.metrics = metrics;
        this.routesJson = routesJson;
        this.explain = explain;
    }

    /**
     * The addresses the admin port listens on: loopback, plus each of {@code extra} ({@code --admin-address},
     * e.g. the pod IP so the kubelet's probes and Prometheus reach it). A wildcard ({@code 0.0.0.0},
     * {@code ::}) already covers loopback, so it is bound alone.
     */
    public static List<String> listenAddresses(List<String> extra) {
        for (String a : extra) {
            if (isWildcard(a)) return List.of(a);
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        out.add(LOOPBACK);
        out.addAll(extra);
        return List.copyOf(out);
    }

    /** Why {@code address} cannot be an admin address, or null: an IP literal, never a name to resolve. */
    public static String addressProblem(String address) {
        String bare = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        return NetUtil.isValidIpV4Address(bare) || NetUtil.isValidIpV6Address(bare) ? null
                : "\"" + address + "\" is not an IPv4 or IPv6 address";
    }

    private static boolean isWildcard(String a) {
        return a.equals("0.0.0.0") || a.equals("::") || a.equals("[::]");
    }

    /** Binds every address on one port (port 0: the first picks it, the others follow); returns the port. */
    public Future<Integer> start() {
        Router router = router();
        Future<Integer> bound = listen(router, hosts.get(0), port);
        for (String host : hosts.subList(1, hosts.size())) bound = bound.compose(p -> listen(router, host, p));
        return bound;
    }

    private Future<Integer> listen(Router router, String host, int onPort) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return vertx.createHttpServer()
                .requestHandler(router)
                .listen(onPort, bare)
                .map(s -> {
                    synchronized (servers) {
                        servers.add(s);
                    }
                    return s.actualPort();
                });
    }

    Router router() {
        Router router = Router.router(vertx);
        // Probes (load balancers, uptime checks) use HEAD as well: Vert.x answers it with GET's headers and no body.
        router.route("/healthz").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> text(ctx, 200, "ok\n"));
        router.route("/readyz").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> {
            if (draining) text(ctx, 503, "draining: shutting down\n");
            else if (state.view().ready()) text(ctx, 200, "ready\n");
            else text(ctx, 503, "no routing table is live yet\n");
        });
        // Rendering walks the whole table or registry: off the event loop.
        router.get("/routes").handler(ctx -> vertx.<String>executeBlocking(() -> routesJson.apply(state.view()), false)
                .onSuccess(json -> ctx.response().putHeader("content-type", "application/json").end(json))
                .onFailure(e -> text(ctx, 500, "cannot render routes: " + e.getMessage() + "\n")));
        router.get("/metrics").handler(ctx -> vertx.<String>executeBlocking(metrics::scrape, false)
                .onSuccess(body -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(body))
                .onFailure(e -> text(ctx, 500, "cannot render metrics\n")));
        router.get("/debug/explain").handler(this::explain);
        router.route().last().handler(ctx -> text(ctx, 404, "not found; try /healthz /readyz /routes /metrics /debug/explain\n"));
        return router;
    }

    /**
     * {@code /debug/explain?host=shop.example.com&path=/cart/1&method=POST&header=x-canary:1}: JSON
     * by default, text with {@code format=text}. {@code header} repeats; name and value split at the first colon.
     */
    private void explain(RoutingContext ctx) {
        ExplainRequest request;
        try {
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h : ctx.queryParam("header")) {
                int colon = h.indexOf(':');
                if (colon <= 0) throw new IllegalArgumentException("header must be name:value, not " + h);
                headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
            }
            request = new ExplainRequest(first(ctx.queryParam("host")), first(ctx.queryParam("path")),
                    first(ctx.queryParam("method")), headers);
        } catch (IllegalArgumentException e) {
            text(ctx, 400, e.getMessage() + "\n");
            return;
        }
        boolean asText = "text".equals(first(ctx.queryParam("format")));
        vertx.<String>executeBlocking(() -> {
            Explanation e = explain.apply(request);
            return asText ? ExplainReport.text(e) : ExplainReport.json(e);
        }, false).onSuccess(body -> ctx.response().putHeader("content-type", asText ? TEXT : "application/json").end(body))
                .onFailure(e -> text(ctx, 500, "cannot explain: " + e.getMessage() + "\n"));
    }

    /** From now on {@code /readyz} answers 503: the process is shutting down. */
    public void draining() {
        draining = true;
    }

    private static String first(List<String> values) {
        return values.isEmpty() ? null : values.get(0);
    }

    /** Content-length is set here, not left to Vert.x, so a HEAD response carries GET's too. */
    private static void text(RoutingContext ctx, int status, String body) {
        Buffer bytes = Buffer.buffer(body, "UTF-8");
        HttpServerResponse response = ctx.response();
        response.setStatusCode(status).putHeader("content-type", TEXT)
                .putHeader("content-length", Integer.toString(bytes.length())).end(bytes);
    }

    public Future<Void> close() {
        List<Future<Void>> closing = new ArrayList<>();
        synchronized (servers) {
            for (HttpServer s : servers) closing.add(s.close());
            servers.clear();
        }
        return Future.all(closing).mapEmpty();
    }
}
