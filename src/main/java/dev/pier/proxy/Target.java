package dev.pier.proxy;

import dev.pier.balance.Balancer;
import dev.pier.model.BackendProtocol;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.ServiceKey;
import io.vertx.core.http.HttpServerRequest;

/**
 * One Service port a route's request can go to, with its balancer, its health, how Pier speaks
 * to it, its meters and how to read the request's hash key.
 */
final class Target {
    final ServiceKey service;
    final Balancer balancer;
    final BalancerPolicy policy;
    /** Where each try's outcome goes (passive outlier detection). */
    final ServiceHealth health;
    final BackendProtocol protocol;
    /** This route's meters toward this Service. */
    final RouteMeters meters;
    private final BalancerPolicy.HashOn hashOn;

    Target(ServiceKey service, Balancer balancer, BalancerPolicy policy, ServiceHealth health, BackendProtocol protocol,
           RouteMeters meters) {
        this.service = service;
        this.balancer = balancer;
        this.policy = policy;
        this.health = health;
        this.protocol = protocol;
        this.meters = meters;
        this.hashOn = policy != null && policy.type() == BalancerPolicy.Type.CONSISTENT_HASH ? policy.hashOn() : null;
    }

    /** @return the consistent-hash key for this request, or null when the policy has none or the value is missing */
    String hashKey(HttpServerRequest request) {
        if (hashOn == null) return null;
        switch (hashOn.source()) {
            case HEADER:
                return request.getHeader(hashOn.name());
            case COOKIE: {
                var cookie = request.getCookie(hashOn.name());
                return cookie == null ? null : cookie.getValue();
            }
            case SOURCE_IP: {
                var remote = request.remoteAddress();
                return remote == null ? null : remote.hostAddress();
            }
            case QUERY_PARAM:
                return QueryParams.of(request).first(hashOn.name());
            default:
                return null;
        }
    }
}
