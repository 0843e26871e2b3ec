package dev.pier.balance;

import dev.pier.model.Endpoint;
import java.util.List;

/**
 * Chooses one endpoint of one Service port for a request. One instance is shared by every event
 * loop, so sequential picks follow the algorithm's sequence exactly. The data plane hands it the
 * Service's endpoints with {@link #setEndpoints}, off the event loops, whenever they change; that
 * is where derived state (a ring, weights, counters) is built, so {@link #pick} only reads it.
 */
public interface Balancer {

    /**
     * The Service's current endpoints (immutable; may be empty). Called off the event loops: once
     * before the balancer serves, then on every change. Picks running meanwhile see the old list
     * or the new one, never a mix.
     */
    void setEndpoints(List<Endpoint> endpoints);

    /**
     * @param hashKey the request's hash key for consistent hashing, or null
     * @param avoid   an endpoint to avoid if another exists (a retry), or null
     * @return the chosen endpoint, or null when there is none
     */
    Endpoint pick(String hashKey, Endpoint avoid);

    /** Called once when a request that {@link #pick} chose has finished (least-request counts). */
    default void release(Endpoint endpoint) {
    }
}
