package dev.pier.bench;

import dev.pier.testing.GrpcEcho;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * gRPC unary calls per second with grpc-java on both sides; run by bench/grpc-bench.sh, not a test.
 *
 * <pre>
 *   GrpcBench server PORT                                   an echo server on 127.0.0.1:PORT until killed
 *   GrpcBench load NAME PORT AUTHORITY SECONDS CHANNELS STREAMS
 * </pre>
 *
 * {@code load} keeps CHANNELS connections (each its own HTTP/2 connection) with STREAMS calls in
 * flight on each, closed loop (a call starts when one ends), for SECONDS; it prints one line:
 * name, calls/s, p50, p99 and failed calls.
 */
public final class GrpcBench {
    private GrpcBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("server")) {
            GrpcEcho server = GrpcEcho.start("bench", "127.0.0.1", Integer.parseInt(args[1]));
            System.out.println("grpc echo server on 127.0.0.1:" + server.port());
            Thread.currentThread().join();
        } else if (args.length == 7 && args[0].equals("load")) {
            load(args[1], Integer.parseInt(args[2]), args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                    Integer.parseInt(args[6]));
            System.exit(0);
        } else {
            System.err.println("usage: GrpcBench server PORT | load NAME PORT AUTHORITY SECONDS CHANNELS STREAMS");
            System.exit(2);
        }
    }

    /** One closed-loop caller: its latencies (microseconds) are touched only by its own sequential calls. */
    private static final class Caller implements StreamObserver<String> {
        private final ManagedChannel channel;
        private final long endNanos;
        private final CountDownLatch done;
        private final AtomicLong failed;
        long[] latencies = new long[1 << 14];
        int count;
        private long started;

        Caller(ManagedChannel channel, long endNanos, CountDownLatch done, AtomicLong failed) {
            this.channel = channel;
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
            ClientCalls.asyncUnaryCall(channel.newCall(GrpcEcho.ECHO, CallOptions.DEFAULT), "hello", this);
        }

        @Override
        public void onNext(String value) {
        }

        @Override
        public void onError(Throwable t) {
            failed.incrementAndGet();
            next();
        }

        @Override
        public void onCompleted() {
            if (count == latencies.length) latencies = Arrays.copyOf(latencies, count * 2);
            latencies[count++] = (System.nanoTime() - started) / 1000;
            next();
        }
    }

    private static void load(String name, int port, String authority, int seconds, int channels, int streams) throws Exception {
        List<ManagedChannel> open = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            open.add(NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).usePlaintext()
                    .overrideAuthority(authority).directExecutor().build());
        }
        for (ManagedChannel channel : open) GrpcEcho.unary(channel, GrpcEcho.ECHO, "ready", CallOptions.DEFAULT); // connected
        CountDownLatch done = new CountDownLatch(channels * streams);
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Caller> callers = new ArrayList<>();
        for (ManagedChannel channel : open) {
            for (int s = 0; s < streams; s++) callers.add(new Caller(channel, end, done, failed));
        }
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
        System.out.printf("%-10s %12.0f %9.2fms %9.2fms %8d%n", name, total / elapsed, percentile(all, 0.50) / 1000.0,
                percentile(all, 0.99) / 1000.0, failed.get());
        for (ManagedChannel channel : open) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
