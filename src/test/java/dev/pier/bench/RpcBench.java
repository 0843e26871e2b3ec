package dev.pier.bench;

import com.google.protobuf.DynamicMessage;
import dev.pier.testing.GrpcGreeter;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rpc handler's cost: unary calls per second of {@code pier.test.greet.Greeter/SayHello} with
 * the same request ({@code name: "hello", times: 1}), made directly with grpc-java, or as JSON
 * through Pier's rpc handler; run by bench/rpc-bench.sh, not a test.
 *
 * <pre>
 *   RpcBench server PORT                                        a GrpcGreeter with reflection until killed
 *   RpcBench grpc NAME PORT SECONDS CONNECTIONS STREAMS          grpc-java, h2c
 *   RpcBench json NAME PORT HOST SECONDS CONNECTIONS STREAMS     POST /greeter/say-hello, h2c (prior knowledge)
 * </pre>
 *
 * Both keep CONNECTIONS HTTP/2 connections with STREAMS calls in flight on each, closed loop; each
 * prints one line: name, calls/s, p50, p99 and failed calls.
 */
public final class RpcBench {
    static final String JSON = "{\"name\":\"hello\",\"times\":1}";

    private RpcBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("server")) {
            GrpcGreeter server = GrpcGreeter.start("bench", "127.0.0.1", GrpcGreeter.Reflection.V1, Integer.parseInt(args[1]));
            System.out.println("greeter with reflection on 127.0.0.1:" + server.port());
            Thread.currentThread().join();
        } else if (args.length == 6 && args[0].equals("grpc")) {
            grpc(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            System.exit(0);
        } else if (args.length == 7 && args[0].equals("json")) {
            json(args[1], Integer.parseInt(args[2]), args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                    Integer.parseInt(args[6]));
            System.exit(0);
        } else {
            System.err.println("usage: RpcBench server PORT | grpc NAME PORT SECONDS CONNECTIONS STREAMS"
                    + " | json NAME PORT HOST SECONDS CONNECTIONS STREAMS");
            System.exit(2);
        }
    }

    /** Latencies (microseconds) of one closed-loop caller; each caller touches only its own. */
    private abstract static class Caller {
        final long endNanos;
        final CountDownLatch done;
        final AtomicLong failed;
        long[] latencies = new long[1 << 14];
        int count;
        long started;

        Caller(long endNanos, CountDownLatch done, AtomicLong failed) {
            this.endNanos = endNanos;
            this.done = done;
            this.failed = failed;
        }

        void next() {
            started = System.nanoTime();
            if (started >= endNanos) {
                done.countDown();
                return;
            }
            call();
        }

        abstract void call();

        void succeeded() {
            if (count == latencies.length) latencies = Arrays.copyOf(latencies, count * 2);
            latencies[count++] = (System.nanoTime() - started) / 1000;
            next();
        }

        void failedCall() {
            failed.incrementAndGet();
            next();
        }
    }

    private static void grpc(String name, int port, int seconds, int connections, int streams) throws Exception {
        List<ManagedChannel> open = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            open.add(NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).usePlaintext().directExecutor().build());
        }
        DynamicMessage request = GrpcGreeter.hello("hello", 1);
        for (ManagedChannel channel : open) GrpcGreeter.unary(channel, "Greeter", "SayHello", request); // connected
        var method = GrpcGreeter.method("Greeter", "SayHello");
        run(name, seconds, connections * streams, (end, done, failed) -> {
            List<Caller> callers = new ArrayList<>();
            for (ManagedChannel channel : open) {
                for (int s = 0; s < streams; s++) {
                    callers.add(new Caller(end, done, failed) {
                        @Override
                        void call() {
                            Caller self = this;
                            ClientCalls.asyncUnaryCall(channel.newCall(method, CallOptions.DEFAULT), request,
                                    new StreamObserver<DynamicMessage>() {
                                        @Override
                                        public void onNext(DynamicMessage value) {
                                        }

                                        @Override
                                        public void onError(Throwable t) {
                                            self.failedCall();
                                        }

                                        @Override
                                        public void onCompleted() {
                                            self.succeeded();
                                        }
                                    });
                        }
                    });
                }
            }
            return callers;
        });
        for (ManagedChannel channel : open) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static void json(String name, int port, String host, int seconds, int connections, int streams) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        HttpClientAgent client = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
                        .setHttp2MultiplexingLimit(streams).setDefaultHost("127.0.0.1").setDefaultPort(port))
                .with(new PoolOptions().setHttp2MaxSize(connections)).build();
        Buffer body = Buffer.buffer(JSON);
        // The host goes as HTTP/2's :authority; the connection goes to 127.0.0.1.
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI("/greeter/say-hello")
                .setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost(host).setPort(port)
                .putHeader("content-type", "application/json");
        // warm the connections up
        client.request(options).compose(r -> r.send(body)).compose(r -> r.body()).await(10, TimeUnit.SECONDS);
        run(name, seconds, connections * streams, (end, done, failed) -> {
            List<Caller> callers = new ArrayList<>();
            for (int i = 0; i < connections * streams; i++) {
                callers.add(new Caller(end, done, failed) {
                    @Override
                    void call() {
                        client.request(options).compose(r -> r.send(body)).compose(r -> r.statusCode() == 200
                                ? r.body().map(b -> true) : r.body().map(b -> false)).onComplete(ar -> {
                            if (ar.succeeded() && ar.result()) succeeded();
                            else failedCall();
                        });
                    }
                });
            }
            return callers;
        });
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private interface Callers {
        List<? extends Caller> make(long endNanos, CountDownLatch done, AtomicLong failed);
    }

    private static void run(String name, int seconds, int inFlight, Callers make) throws Exception {
        CountDownLatch done = new CountDownLatch(inFlight);
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        List<? extends Caller> callers = make.make(end, done, failed);
        callers.forEach(Caller::next);
        done.await(seconds + 60L, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        int total = callers.stream().mapToInt(c -> c.count).sum();
        long[] all = new long[total];
        int at = 0;
        for (Caller c : callers) {
            System.arraycopy(c.latencies, 0, all, at, c.count);
            at += c.count;
        }
        Arrays.sort(all);
        System.out.printf("%-12s %12.0f %9.2fms %9.2fms %8d%n", name, total / elapsed, percentile(all, 0.50) / 1000.0,
                percentile(all, 0.99) / 1000.0, failed.get());
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
