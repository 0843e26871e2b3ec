package dev.pier.balance;

import dev.pier.model.Endpoint;
import java.util.List;

/**
 * Chooses one endpoint of one Service port for a request. One instance is shared by every event
 * loop, so sequential picks follow the algorithm's sequence exactly. The endpoint list is passed
 * on every pick (it is swapped on its own when endpoints change); an implementation may cache
 * derived state (a ring, weights) keyed on the list's identity and rebuild it when a new list
 * arrives.
 */
public interface Balancer {

    /**
     * @param endpoints the Service's current endpoints (immutable; may be empty)
     * @param hashKey   the request's hash key for consistent hashing, or null
     * @param avoid     an endpoint to avoid if another exists (a retry), or null
     * @return the chosen endpoint, or null when {@code endpoints} is empty
     */
    Endpoint pick(List<Endpoint> endpoints, String hashKey, Endpoint avoid);

    /** Called once when a request that {@link #pick} chose has finished (least-request counts). */
    default void release(Endpoint endpoint) {
    }
}
