package dev.pier.proxy;

import dev.pier.balance.Balancer;
import dev.pier.balance.BalancerFactory;
import dev.pier.balance.WeightedSplit;
import dev.pier.model.BackendProtocol;
import dev.pier.model.BackendTls;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.Endpoint;
import dev.pier.model.Filter;
import dev.pier.model.HealthCheck;
import dev.pier.model.ResolverHandler;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import dev.pier.model.VirtualHost;
import dev.pier.model.WeightedBackend;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link RoutingTable} compiled for serving: host lookup (exact, {@code *.parent} for one label,
 * then {@code *}), per-host path indexes, and the balancers, splits and meters its routes use.
 * Immutable once built; the stateful parts (balancers, splits) are carried over from the previous
 * table when their definition is equal, so a swap keeps round-robin positions and hash rings.
 * Every route of a table compiles: the model refuses what cannot be served when it is built.
 */
final class CompiledTable {

    private final Map<String, CompiledHost> exactHosts;
    private final Map<String, CompiledHost> wildcardParents;
    private final CompiledHost anyHost;
    private final CompiledRoute defaultRoute;
    // Carried into the next compile.
    private final Map<BalancerKey, Balancer> balancers;
    private final Map<SplitKey, WeightedSplit> splits;
    /**
     * Each route's meters by route id: the route's one {@link RouteMeters} (one Service, or none: most routes), else
     * an array of them, each known by its {@link RouteMeters#serviceKey}. No key object per route (a record of id and
     * Service was 24 B per route at 10,000 routes).
     */
    private final Map<String, Object> meters;
    /** The balancer keys of each Service, whose balancers are told when its endpoints or their health change. */
    private final Map<ServiceKey, List<BalancerKey>> balancersByService = new HashMap<>();
    /** Null only for the empty table, which has no balancers. */
    private final BackendHealth health;
    /** Every TLS setting a backend of this table uses: each event loop keeps a client for each, and drops the others. */
    private final Set<BackendTls> tlsSettings;

    /** A balancer per Service port, policy and active health check (null: none): each sees its own healthy endpoints. */
    record BalancerKey(ServiceKey service, BalancerPolicy policy, HealthCheck healthCheck) {}

    record SplitKey(String routeId, List<WeightedBackend> backends) {}

    /** The meters of route {@code routeId} toward {@code service} (null: its {@code none} ones) in {@code byRoute}, or null. */
    private static RouteMeters metersOf(Map<String, Object> byRoute, String routeId, ServiceKey service) {
        Object held = byRoute.get(routeId);
        if (held instanceof RouteMeters one) return Objects.equals(one.serviceKey, service) ? one : null;
        if (held != null) {
            for (RouteMeters m : (RouteMeters[]) held) {
                if (Objects.equals(m.serviceKey, service)) return m;
            }
        }
        return null;
    }

    /** Adds {@code meters} under route {@code routeId}; the ones there already for its Service when there are (nothing added). */
    private static RouteMeters addMeters(Map<String, Object> byRoute, String routeId, RouteMeters meters) {
        Object held = byRoute.putIfAbsent(routeId, meters);
        if (held == null) return null;
        RouteMeters[] all = held instanceof RouteMeters one ? new RouteMeters[]{one} : (RouteMeters[]) held;
        for (RouteMeters m : all) {
            if (Objects.equals(m.serviceKey, meters.serviceKey)) return m;
        }
        RouteMeters[] more = Arrays.copyOf(all, all.length + 1);
        more[all.length] = meters;
        byRoute.put(routeId, more);
        return null;
    }

    private CompiledTable(Map<String, CompiledHost> exactHosts, Map<String, CompiledHost> wildcardParents, CompiledHost anyHost,
                          CompiledRoute defaultRoute, Map<BalancerKey, Balancer> balancers,
                          Map<SplitKey, WeightedSplit> splits, Map<String, Object> meters, BackendHealth health,
                          Set<BackendTls> tlsSettings) {
        this.exactHosts = exactHosts;
        this.wildcardParents = wildcardParents;
        this.anyHost = anyHost;
        this.defaultRoute = defaultRoute;
        this.balancers = balancers;
        this.splits = splits;
        this.meters = meters;
        this.health = health;
        this.tlsSettings = Set.copyOf(tlsSettings);
        balancers.keySet().forEach(key ->
                balancersByService.computeIfAbsent(key.service(), k -> new ArrayList<>(1)).add(key));
    }

    static CompiledTable empty() {
        return new CompiledTable(Map.of(), Map.of(), null, null, Map.of(), Map.of(), Map.of(), null, Set.of());
    }

    /** The Services this table uses, each with the active checks its routes ask for. */
    Map<ServiceKey, Set<HealthCheck>> healthInUse() {
        Map<ServiceKey, Set<HealthCheck>> out = new HashMap<>();
        for (BalancerKey key : balancers.keySet()) {
            Set<HealthCheck> checks = out.computeIfAbsent(key.service(), k -> new HashSet<>());
            if (key.healthCheck() != null) checks.add(key.healthCheck());
        }
        return out;
    }

    /** Called once {@code next} is live: the meters of routes (and of their Services) that are not in it leave the registry. */
    void retireMetersLeftOutOf(CompiledTable next) {
        meters.forEach((routeId, held) -> {
            if (held instanceof RouteMeters one) {
                if (metersOf(next.meters, routeId, one.serviceKey) != one) one.retire();
            } else {
                for (RouteMeters m : (RouteMeters[]) held) {
                    if (metersOf(next.meters, routeId, m.serviceKey) != m) m.retire();
                }
            }
        });
    }

    Set<BackendTls> tlsSettings() {
        return tlsSettings;
    }

    /** The balancer this table uses for {@code service} under {@code policy} without active checks, or null. */
    Balancer balancer(ServiceKey service, BalancerPolicy policy) {
        return balancer(service, policy, null);
    }

    Balancer balancer(ServiceKey service, BalancerPolicy policy, HealthCheck healthCheck) {
        return balancers.get(new BalancerKey(service, policy, healthCheck));
    }

    /**
     * The one matcher: the data plane's and explain's.
     *
     * @param request its path is the normalised one ({@link PathNormalizer})
     * @param trace   null when serving; explain's record of each step
     * @return the route for this request, or null for a 404
     */
    CompiledRoute select(MatchInput request, MatchTrace trace) {
        String authority = request.host();
        String host = authority == null ? "" : hostKey(authority);
        CompiledHost routes = exactHosts.get(host);
        MatchTrace.HostStep step = MatchTrace.HostStep.EXACT;
        if (routes == null) {
            int dot = host.indexOf('.');
            if (dot > 0) {
                routes = wildcardParents.get(host.substring(dot + 1));
                step = MatchTrace.HostStep.WILDCARD;
            }
            if (routes == null) {
                routes = anyHost;
                step = routes == null ? MatchTrace.HostStep.NONE : MatchTrace.HostStep.ANY;
            }
        }
        if (trace != null) trace.host(host, step, routes);
        CompiledRoute route = routes == null ? null : routes.select(request, request.path(), trace);
        if (route == null) {
            route = defaultRoute;
            if (trace != null) trace.fellBackToDefault(defaultRoute);
        }
        return route;
    }

    /** The route for requests no virtual host route matches (an Ingress defaultBackend), or null. */
    CompiledRoute defaultRoute() {
        return defaultRoute;
    }

    /** Hands changed endpoint lists (empty: none left) to the balancers of their Services, less unhealthy endpoints. */
    void endpointsChanged(Map<ServiceKey, List<Endpoint>> changed) {
        changed.forEach(this::refresh);
    }

    /** Gives every balancer of {@code service} the endpoints of {@code all} it may pick now (health changed or the list did). */
    void refresh(ServiceKey service, List<Endpoint> all) {
        List<BalancerKey> users = balancersByService.get(service);
        if (users == null) return;
        for (BalancerKey key : users) balancers.get(key).setEndpoints(health.available(service, key.healthCheck(), all));
    }

    /**
     * The request host as the table keys hosts: lower case, without the one trailing dot of a fully
     * qualified name ({@code example.com.} is {@code example.com}). No copy when there is nothing to change.
     */
    static String hostKey(String host) {
        int end = host.length();
        if (end > 0 && host.charAt(end - 1) == '.') end--;
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            if ((c >= 'A' && c <= 'Z') || c >= 0x80) return host.substring(0, end).toLowerCase(Locale.ROOT);
        }
        return end == host.length() ? host : host.substring(0, end);
    }

    /**
     * Compiles {@code table}, every route of it.
     * Balancers new in this table get their Service's endpoints from {@code endpoints} here, on the
     * caller's thread; carried-over ones already have them.
     */
    static CompiledTable compile(RoutingTable table, CompiledTable previous, MeterRegistry registry, EndpointIndex endpoints,
                                 BackendHealth health) {
        Builder b = new Builder(previous, registry, endpoints, health);
        Map<String, CompiledHost> exact = new HashMap<>();
        Map<String, CompiledHost> wildcard = new HashMap<>();
        CompiledHost any = null;
        for (VirtualHost vh : table.virtualHosts()) {
            String name = vh.hostname(); // lower-case already (VirtualHost's invariant)
            CompiledHost hostRoutes = b.previous.host(name);
            if (hostRoutes == null || !hostRoutes.compiledFrom(vh) || !b.carryOver(hostRoutes)) {
                List<CompiledRoute> compiled = new ArrayList<>(vh.routes().size());
                for (int i = 0; i < vh.routes().size(); i++) compiled.add(b.route(vh.routes().get(i), i));
                hostRoutes = new CompiledHost(name, compiled);
            }
            if (name.equals("*")) any = hostRoutes;
            else if (name.startsWith("*.")) wildcard.put(name.substring(2), hostRoutes);
            else exact.put(name, hostRoutes);
        }
        CompiledRoute def = table.defaultRoute() == null ? null : b.route(table.defaultRoute(), 0);
        b.balancers.forEach((key, balancer) -> {
            if (b.previous.balancers.get(key) != balancer) {
                balancer.setEndpoints(health.available(key.service(), key.healthCheck(), endpoints.get(key.service())));
            }
        });
        return new CompiledTable(exact, wildcard, any, def, b.balancers, b.splits, b.meters, health, b.tlsSettings);
    }

    /** This table's host of exactly this (lower-case) name, or null. */
    private CompiledHost host(String name) {
        if (name.equals("*")) return anyHost;
        if (name.startsWith("*.")) return wildcardParents.get(name.substring(2));
        return exactHosts.get(name);
    }

    private static final CompiledFilter[] NO_FILTERS = new CompiledFilter[0];

    private static final class Builder {
        private final CompiledTable previous;
        private final MeterRegistry registry;
        private final EndpointIndex endpoints;
        private final BackendHealth health;
        final Map<BalancerKey, Balancer> balancers = new HashMap<>();
        final Map<SplitKey, WeightedSplit> splits = new HashMap<>();
        final Map<String, Object> meters = new HashMap<>();
        /** One meters scope per namespace in this compile (carried-over meters keep theirs). */
        private final Map<String, RouteMeters.Scope> scopes = new HashMap<>();
        final Set<BackendTls> tlsSettings = new HashSet<>();

        Builder(CompiledTable previous, MeterRegistry registry, EndpointIndex endpoints, BackendHealth health) {
            this.previous = previous == null ? empty() : previous;
            this.registry = registry;
            this.endpoints = endpoints;
            this.health = health;
        }

        /**
         * Takes a host of the previous table compiled from the same model into this one: its balancers,
         * splits and meters are the previous table's already (as compiling it anew would find them), so
         * only this table's indexes of them are filled. False, having changed nothing that compiling the
         * host anew would not, for a host it does not handle (resolver routes) or whose Service health
         * is no longer the one its targets report to.
         */
        boolean carryOver(CompiledHost host) {
            for (CompiledRoute compiled : host.routes) {
                if (!(compiled.action instanceof CompiledAction.Forward) && !(compiled.action instanceof CompiledAction.NoBackend)) return false;
            }
            for (CompiledRoute compiled : host.routes) {
                Route route = compiled.route;
                // As route() does: a route with targets has its first target's meters stand in for its unserved
                // exchanges (the others' give theirs up); one without has meters of its own.
                Target[] targets = compiled.action instanceof CompiledAction.Forward f ? f.targets() : new Target[0];
                if (targets.length == 0 && !sameOrAdded(route.id(), compiled.unserved())) return false;
                if (!(compiled.action instanceof CompiledAction.Forward forward)) continue;
                if (targets.length > 0) {
                    targets[0].meters.ownsUnserved();
                    for (int i = 1; i < targets.length; i++) {
                        if (targets[i].meters != targets[0].meters) targets[i].meters.disownsUnserved();
                    }
                }
                List<WeightedBackend> backends = ((RouteAction.Forward) route.action()).backends();
                for (int i = 0; i < backends.size(); i++) {
                    WeightedBackend wb = backends.get(i);
                    Target target = forward.targets()[i];
                    if (wb.protocol() instanceof BackendProtocol.Https https) tlsSettings.add(https.tls());
                    BalancerPolicy p = wb.balancer() == null ? BalancerPolicy.ROUND_ROBIN : wb.balancer();
                    if (!sameOrAdded(balancers, new BalancerKey(wb.service(), p, wb.healthCheck()), target.balancer)) return false;
                    ServiceHealth serviceHealth = health.service(wb.service(), endpoints.get(wb.service()));
                    if (serviceHealth != target.health) return false;
                    if (wb.healthCheck() != null) health.check(serviceHealth, wb.healthCheck());
                    if (!sameOrAdded(route.id(), target.meters)) return false;
                }
                if (forward.split() != null && !sameOrAdded(splits, new SplitKey(route.id(), backends), forward.split())) return false;
            }
            return true;
        }

        /** Adds a route's meters; false when it has other meters for their Service already. */
        private boolean sameOrAdded(String routeId, RouteMeters m) {
            RouteMeters had = addMeters(meters, routeId, m);
            return had == null || had == m;
        }

        /** Puts {@code value} under {@code key}; false when the key has another value already. */
        private static <K, V> boolean sameOrAdded(Map<K, V> map, K key, V value) {
            V had = map.putIfAbsent(key, value);
            return had == null || had == value;
        }

        CompiledRoute route(Route route, int order) {
            CompiledFilter[] filters = route.filters().isEmpty() ? NO_FILTERS : new CompiledFilter[route.filters().size()];
            CompiledAction action = answer(route);
            // A route with targets keeps no meters of its own: its first target's make the `none` ones when first needed.
            RouteMeters first = null;
            if (action instanceof CompiledAction.Forward f && f.targets().length > 0) {
                first = f.targets()[0].meters;
                first.ownsUnserved();
                for (int i = 1; i < f.targets().length; i++) {
                    if (f.targets()[i].meters != first) f.targets()[i].meters.disownsUnserved();
                }
            }
            CompiledRoute compiled = new CompiledRoute(route, order, filters, action,
                    first != null ? first : meters(route, null), first != null);
            List<Filter> fs = route.filters();
            for (int i = 0; i < filters.length; i++) filters[i] = CompiledFilter.compile(fs.get(i), compiled);
            return compiled;
        }

        private CompiledAction answer(Route route) {
            RouteAction action = route.action();
            if (action instanceof RouteAction.Forward f) {
                List<WeightedBackend> backends = f.backends();
                Target[] targets = new Target[backends.size()];
                for (int i = 0; i < targets.length; i++) {
                    WeightedBackend wb = backends.get(i);
                    targets[i] = target(route, wb.service(), wb.balancer(), wb.healthCheck(), wb.protocol());
                }
                WeightedSplit split = null;
                if (targets.length > 1 || (targets.length == 1 && backends.get(0).weight() == 0)) {
                    SplitKey key = new SplitKey(route.id(), backends);
                    split = splits.computeIfAbsent(key, k -> {
                        WeightedSplit old = previous.splits.get(k);
                        return old != null ? old : new WeightedSplit(backends.stream().mapToInt(WeightedBackend::weight).toArray());
                    });
                }
                return new CompiledAction.Forward(split, targets);
            }
            if (action instanceof RouteAction.Resolve r) {
                Map<String, Target> targets = new HashMap<>(r.services().size() * 2);
                r.services().forEach((name, key) -> targets.put(name, target(route, key, r.balancer(), r.healthCheck(), r.protocol(name))));
                LocalHandler handler = null;
                if (r.handler() instanceof ResolverHandler.Event e) {
                    handler = new EventHandler(target(route, e.sink(), r.balancer(), r.healthCheck(), e.sinkProtocol()), e.sinkPath(),
                            e.source(), e.extensions());
                } else if (r.handler() instanceof ResolverHandler.Rpc || r.rpcEndpoint()) {
                    handler = new RpcHandler(r.handler() instanceof ResolverHandler.Rpc, r.rpcEndpoint());
                }
                return new CompiledAction.Resolve(r.mount(), r.servicePrefix(), r.versioned(), targets, handler);
            }
            if (action instanceof RouteAction.NoBackend) {
                return new CompiledAction.NoBackend();
            }
            throw new IllegalArgumentException("route " + route.id() + ": unknown action " + action);
        }

        private Target target(Route route, ServiceKey service, BalancerPolicy policy, HealthCheck healthCheck,
                              BackendProtocol protocol) {
            if (protocol instanceof BackendProtocol.Https https) tlsSettings.add(https.tls());
            BalancerPolicy p = policy == null ? BalancerPolicy.ROUND_ROBIN : policy;
            BalancerKey key = new BalancerKey(service, p, healthCheck);
            Balancer balancer = balancers.computeIfAbsent(key, k -> {
                Balancer old = previous.balancers.get(k);
                return old != null ? old : BalancerFactory.create(p);
            });
            ServiceHealth serviceHealth = health.service(service, endpoints.get(service));
            if (healthCheck != null) health.check(serviceHealth, healthCheck);
            return new Target(service, balancer, p, serviceHealth, protocol, meters(route, service));
        }

        /** The previous table's meters for this key when it had them (their counts go on), else new ones. */
        private RouteMeters meters(Route route, ServiceKey service) {
            RouteMeters had = metersOf(meters, route.id(), service);
            if (had != null) return had;
            RouteMeters m = metersOf(previous.meters, route.id(), service);
            if (m != null) {
                m.carriedOver(route.id());
            } else {
                RouteMeters.Scope scope = scopes.computeIfAbsent(route.source().namespace(), ns -> new RouteMeters.Scope(registry, ns));
                m = service == null ? RouteMeters.none(scope, route.id()) : RouteMeters.forService(scope, route.id(), service);
            }
            addMeters(meters, route.id(), m);
            return m;
        }
    }
}
