package dev.pier.admin;

import dev.pier.LiveState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Function;

/**
 * The admin port: {@code /healthz} (the process answers), {@code /readyz} (200 once a table is
 * live, and it stays 200 when a source is lost: the last table keeps serving; 503 again from the
 * start of a drain, so the pod leaves its Service's endpoints), {@code /routes}
 * (the live table, statuses and source errors as JSON) and {@code /metrics} (Prometheus).
 * Read-only by construction: nothing here changes routing.
 */
public final class AdminServer {
    private final Vertx vertx;
    private final String host;
    private final int port;
    private final LiveState state;
    private final PrometheusMeterRegistry metrics;
    private final Function<LiveState.View, String> routesJson;
    private HttpServer server;
    private volatile boolean draining;

    public AdminServer(Vertx vertx, String host, int port, LiveState state, PrometheusMeterRegistry metrics,
                       Function<LiveState.View, String> routesJson) {
        this.vertx = vertx;
        this.host = host;
        this.port = port;
        this.state = state;
        this.metrics = metrics;
        this.routesJson = routesJson;
    }

    /** Binds; returns the bound port. */
    public Future<Integer> start() {
        return vertx.createHttpServer()
                .requestHandler(this::handle)
                .listen(port, host)
                .map(s -> {
                    server = s;
                    return s.actualPort();
                });
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        switch (path) {
            case "/healthz" -> text(request, 200, "ok\n");
            case "/readyz" -> {
                if (draining) text(request, 503, "draining: shutting down\n");
                else if (state.view().ready()) text(request, 200, "ready\n");
                else text(request, 503, "no routing table is live yet\n");
            }
            case "/routes" -> vertx.<String>executeBlocking(() -> routesJson.apply(state.view()), false)
                    .onSuccess(json -> request.response().putHeader("content-type", "application/json").end(json))
                    .onFailure(e -> text(request, 500, "cannot render routes: " + e.getMessage() + "\n"));
            case "/metrics" -> vertx.<String>executeBlocking(metrics::scrape, false)
                    .onSuccess(body -> request.response()
                            .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(body))
                    .onFailure(e -> text(request, 500, "cannot render metrics\n"));
            default -> text(request, 404, "not found; try /healthz /readyz /routes /metrics\n");
        }
    }

    /** From now on {@code /readyz} answers 503: the process is shutting down. */
    public void draining() {
        draining = true;
    }

    private static void text(HttpServerRequest request, int status, String body) {
        request.response().setStatusCode(status).putHeader("content-type", "text/plain; charset=utf-8").end(body);
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
