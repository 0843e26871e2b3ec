package dev.pier.admin;

import dev.pier.LiveState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;

/**
 * The admin port: {@code /healthz} (the process answers), {@code /readyz} (200 once a table is
 * live, and it stays 200 when a source is lost: the last table keeps serving; 503 again from the
 * start of a drain, so the pod leaves its Service's endpoints), {@code /routes}
 * (the live table, statuses and source errors as JSON) and {@code /metrics} (Prometheus).
 * Read-only by construction: nothing here changes routing. It has no authentication, so it listens
 * on loopback unless told otherwise ({@link #listenAddresses}).
 */
public final class AdminServer {
    /** Where the admin port always listens. */
    public static final String LOOPBACK = "127.0.0.1";

    private final Vertx vertx;
    private final List<String> hosts;
    private final int port;
    private final LiveState state;
    private final PrometheusMeterRegistry metrics;
    private final Function<LiveState.View, String> routesJson;
    private final List<HttpServer> servers = new ArrayList<>();
    private volatile boolean draining;

    /** @param hosts addresses to listen on, all on the same port (see {@link #listenAddresses}) */
    public AdminServer(Vertx vertx, List<String> hosts, int port, LiveState state, PrometheusMeterRegistry metrics,
                       Function<LiveState.View, String> routesJson) {
        if (hosts.isEmpty()) throw new IllegalArgumentException("the admin port needs an address");
        this.vertx = vertx;
        this.hosts = List.copyOf(hosts);
        this.port = port;
        this.state = state;
        this.metrics = metrics;
        this.routesJson = routesJson;
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
        Future<Integer> bound = listen(hosts.get(0), port);
        for (String host : hosts.subList(1, hosts.size())) bound = bound.compose(p -> listen(host, p));
        return bound;
    }

    private Future<Integer> listen(String host, int onPort) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return vertx.createHttpServer()
                .requestHandler(this::handle)
                .listen(onPort, bare)
                .map(s -> {
                    synchronized (servers) {
                        servers.add(s);
                    }
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
        List<Future<Void>> closing = new ArrayList<>();
        synchronized (servers) {
            for (HttpServer s : servers) closing.add(s.close());
            servers.clear();
        }
        return Future.all(closing).mapEmpty();
    }
}
