package dev.pier.proxy;

/**
 * The rpc handler of a resolver ({@code handler: rpc}: every path names a gRPC method, read by
 * {@link RpcPath}) and its {@code /rpc} endpoint ({@code rpcEndpoint: true}: {@code POST <mount>/rpc}
 * names the Service and method in its JSON body). Each request is one {@link RpcCall}.
 */
final class RpcHandler implements LocalHandler {
    /** The request JSON and the response message are bounded by gRPC's default message limit. */
    static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;
    static final int MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
    static final String ENDPOINT_PATH = "/rpc";

    /** Every path under the mount names a method (the rpc handler); else only the /rpc endpoint is served here. */
    private final boolean paths;
    private final boolean endpoint;

    RpcHandler(boolean paths, boolean endpoint) {
        this.paths = paths;
        this.endpoint = endpoint;
    }

    @Override
    public boolean serve(Exchange exchange, CompiledAction.Resolve resolve, String path) {
        boolean envelope = endpoint && path.equals(ENDPOINT_PATH);
        if (!envelope && !paths) return false;
        new RpcCall(exchange, resolve, envelope ? null : path).start();
        return true;
    }
}
