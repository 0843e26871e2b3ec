package dev.pier.admin;

import dev.pier.LiveState;
import dev.pier.proxy.ExplainRequest;
import dev.pier.proxy.Explanation;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The admin port, on vertx-web's {@link Router}: {@code /healthz} (the process answers),
 * {@code /readyz} (200 once a table is live, and it stays 200 when a source is lost: the last
 * table keeps serving), {@code /routes} (the live table, statuses and source errors as JSON),
 * {@code /metrics} (Prometheus) and {@code /debug/explain} (which route a described request takes
 * in the live table, and why). Read-only by construction: nothing here changes routing.
 */
public final class AdminServer {
    private static final String TEXT = "text/plain; charset=utf-8";

    private final Vertx vertx;
    private final String host;
    private final int port;
    private final LiveState state;
    private final PrometheusMeterRegistry metrics;
    private final Function<LiveState.View, String> routesJson;
    private final Function<ExplainRequest, Explanation> explain;
    private HttpServer server;

    public AdminServer(Vertx vertx, String host, int port, LiveState state, PrometheusMeterRegistry metrics,
                       Function<LiveState.View, String> routesJson, Function<ExplainRequest, Explanation> explain) {
        this.vertx = vertx;
        this.host = host;
        this.port = port;
        this.state = state;
        this.metrics = metrics;
        this.routesJson = routesJson;
        this.explain = explain;
    }

    /** Binds; returns the bound port. */
    public Future<Integer> start() {
        return vertx.createHttpServer()
                .requestHandler(router())
                .listen(port, host)
                .map(s -> {
                    server = s;
                    return s.actualPort();
                });
    }

    Router router() {
        Router router = Router.router(vertx);
        router.get("/healthz").handler(ctx -> text(ctx, 200, "ok\n"));
        router.get("/readyz").handler(ctx -> {
            if (state.view().ready()) text(ctx, 200, "ready\n");
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

    private static String first(List<String> values) {
        return values.isEmpty() ? null : values.get(0);
    }

    private static void text(RoutingContext ctx, int status, String body) {
        HttpServerResponse response = ctx.response();
        response.setStatusCode(status).putHeader("content-type", TEXT).end(body);
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
