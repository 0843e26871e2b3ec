package dev.pier.proxy;

/**
 * A resolver handler that answers in Pier instead of forwarding (the rpc handler and its
 * {@code /rpc} endpoint, the event handler): compiled with its route, shared by every event loop,
 * and handed the exchange after the route's filters ran.
 */
interface LocalHandler {
    /**
     * @param path the request path after the resolver's mount
     * @return whether it took the exchange (it then answers it); false leaves it to forwarding
     */
    boolean serve(Exchange exchange, CompiledAction.Resolve resolve, String path);
}
