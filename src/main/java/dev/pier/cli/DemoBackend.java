package dev.pier.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Two tiny HTTP backends on loopback for the quick start, so a newcomer sees a real answer
 * through Pier with nothing else running. Each names itself and echoes what it received,
 * which shows the balancer alternating and the forwarded headers Pier set.
 */
final class DemoBackend {
    static final List<Integer> PORTS = List.of(8081, 8082);

    private DemoBackend() {
    }

    static Future<List<HttpServer>> start(Vertx vertx) {
        List<Future<HttpServer>> servers = new ArrayList<>();
        for (int i = 0; i < PORTS.size(); i++) {
            String name = "demo-backend-" + (i + 1);
            int port = PORTS.get(i);
            servers.add(vertx.createHttpServer()
                    .requestHandler(request -> answer(name, port, request))
                    .webSocketHandler(ws -> ws.handler(ws::write))
                    .listen(port, "127.0.0.1"));
        }
        return Future.all(servers).map(all -> all.<HttpServer>list());
    }

    private static void answer(String name, int port, HttpServerRequest request) {
        request.body().onSuccess(body -> {
            StringBuilder out = new StringBuilder();
            out.append("Hello from ").append(name).append(" (127.0.0.1:").append(port).append(")\n");
            out.append(request.method()).append(' ').append(request.uri()).append(' ').append(switch (request.version()) {
                case HTTP_1_0 -> "HTTP/1.0";
                case HTTP_1_1 -> "HTTP/1.1";
                default -> "HTTP/2";
            }).append('\n');
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            request.headers().forEach(h -> headers.merge(h.getKey(), h.getValue(), (a, b) -> a + ", " + b));
            headers.forEach((k, v) -> out.append(k.toLowerCase()).append(": ").append(v).append('\n'));
            if (body.length() > 0) out.append("body: ").append(body.length()).append(" bytes\n");
            request.response().putHeader("content-type", "text/plain; charset=utf-8")
                    .putHeader("x-served-by", name).end(out.toString());
        });
    }
}
