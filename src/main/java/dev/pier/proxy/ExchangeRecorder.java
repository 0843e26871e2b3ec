package dev.pier.proxy;

/**
 * What happens once per exchange, when it ends (or, for a websocket, when its handshake is done):
 * the route's meters, under {@code none} for a 404 without a route. The access log and the end
 * of a trace span belong here too. Shared by all event loops; keeps no state of its own.
 */
final class ExchangeRecorder {
    private final RouteMetrics noRoute;

    ExchangeRecorder(RouteMetrics noRoute) {
        this.noRoute = noRoute;
    }

    /** @param route the matched route, or null when none matched */
    void ended(CompiledRoute route, int status, long startNanos) {
        (route == null ? noRoute : route.metrics).record(status, startNanos);
    }
}
