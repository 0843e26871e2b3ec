package dev.pier.translate;

import dev.pier.api.GatewayRoute;
import dev.pier.api.GatewayRouteRule;
import dev.pier.api.HTTPBackendRef;
import dev.pier.model.BackendProtocol;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.Filter;
import dev.pier.model.HealthCheck;
import dev.pier.model.ObjectRef;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.ServiceKey;
import dev.pier.model.Timeouts;
import dev.pier.model.WeightedBackend;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The route claims of one GatewayRoute: its hostnames, and per rule the routes its matches (or its
 * resolver) give, built from the rule's {@linkplain GatewayRouteMatches matches},
 * {@linkplain GatewayRouteFilters filters}, {@linkplain RoutePolicies policies},
 * {@linkplain BackendRefs backend references} and their {@linkplain BackendProtocols protocols}. Each rule is checked on its own: a rule with an
 * Accepted problem is left out, the other rules keep serving. A backendRef to a missing Service or
 * port keeps its rule and its share of the split, which the data plane answers 503 (no endpoint)
 * until the Service appears; that is a ResolvedRefs problem.
 */
final class GatewayRouteRoutes {
    static final String KIND = GatewayRoute.KIND;

    private final BackendRefs backendRefs;
    private final BackendProtocols protocols;
    private final ResolverRules resolverRules;

    GatewayRouteRoutes(BackendRefs backendRefs, BackendProtocols protocols, ResolverRules resolverRules) {
        this.backendRefs = backendRefs;
        this.protocols = protocols;
        this.resolverRules = resolverRules;
    }

    /** What translating one GatewayRoute gave: its claims, how many rules it has, and its valid hostnames ({@code *} for any). */
    record Outcome(List<RouteClaim> claims, int ruleCount, List<String> hostnames) {
    }

    static ObjectRef ref(GatewayRoute route) {
        return new ObjectRef(KIND, route.getMetadata().getNamespace(), route.getMetadata().getName());
    }

    static String createdAt(GatewayRoute route) {
        String t = route.getMetadata().getCreationTimestamp();
        return t == null ? "" : t;
    }

    /** @param deleting whether the route is being deleted: its claims then lose every conflict */
    Outcome translate(GatewayRoute gr, boolean deleting, ObjectProblems problems) {
        List<RouteClaim> out = new ArrayList<>();
        List<GatewayRouteRule> rules = gr.getSpec() == null || gr.getSpec().getRules() == null
                ? List.of() : gr.getSpec().getRules();
        if (rules.isEmpty()) problems.invalid("spec.rules", "empty; there is nothing to serve");
        List<String> hosts = hostnames(gr, problems);
        for (int i = 0; i < rules.size(); i++) {
            GatewayRouteRule rule = rules.get(i);
            String f = "spec.rules[" + i + "]";
            if (rule == null) {
                problems.invalid(f, "empty");
                continue;
            }
            int before = problems.leftOut();
            List<Route> routes = rule(gr, i, rule, f, problems);
            if (problems.leftOut() > before) continue;
            for (int j = 0; j < routes.size(); j++) {
                Route route = routes.get(j);
                for (String host : hosts) {
                    out.add(new RouteClaim(host, route, createdAt(gr), i, j, rule.getResolver() != null, deleting));
                }
            }
        }
        return new Outcome(out, rules.size(), hosts);
    }

    /** {@code *} when none is written; invalid names are left out and reported. */
    private static List<String> hostnames(GatewayRoute gr, ObjectProblems problems) {
        List<String> written = gr.getSpec() == null ? null : gr.getSpec().getHostnames();
        if (written == null || written.isEmpty()) return List.of("*");
        LinkedHashSet<String> hosts = new LinkedHashSet<>();
        for (int h = 0; h < written.size(); h++) {
            String name = written.get(h);
            Optional<String> host = name == null || name.isEmpty() || name.equals("*")
                    ? Optional.empty() : IngressRoutes.hostname(name);
            if (host.isEmpty()) {
                problems.invalid("spec.hostnames[" + h + "]", "\"" + name + "\" is not a valid host name"
                        + " (a DNS name, optionally starting with \"*.\"); it is left out");
            } else {
                hosts.add(host.get());
            }
        }
        return List.copyOf(hosts);
    }

    /** The routes of one rule (one per match, or the resolver's one); a new Accepted problem means it is left out. */
    private List<Route> rule(GatewayRoute gr, int i, GatewayRouteRule rule, String f, ObjectProblems problems) {
        ObjectRef ref = ref(gr);
        int before = problems.leftOut();
        boolean resolver = rule.getResolver() != null;
        boolean prefixOnly = resolver || GatewayRouteMatches.allPathPrefix(rule.getMatches());
        List<Filter> filters = GatewayRouteFilters.filters(rule.getFilters(), f + ".filters", prefixOnly, problems);
        Timeouts timeouts = RoutePolicies.timeouts(rule.getTimeouts(), f + ".timeouts", problems);
        RetryPolicy retry = RoutePolicies.retry(rule.getRetry(), f + ".retry", problems);
        Long maxBody = RoutePolicies.maxRequestBody(rule.getMaxRequestBodySize(), f + ".maxRequestBodySize", problems);
        BalancerPolicy balancer = RoutePolicies.balancer(rule.getLoadBalancer(), f + ".loadBalancer", problems);
        HealthCheck healthCheck = RoutePolicies.healthCheck(rule.getHealthCheck(), f + ".healthCheck", problems);
        boolean forwardRawPath = RoutePolicies.forwardRawPath(rule.getPathPolicy());
        if (forwardRawPath && filters.stream().anyMatch(x -> x instanceof Filter.UrlRewrite u && u.path() != null)) {
            problems.invalid(f + ".pathPolicy", "ForwardRaw is not allowed with a URLRewrite path: the rewrite works on the"
                    + " normalised path, so the raw one cannot be forwarded");
        }
        String tlsField = f + ".backendTLS";
        BackendProtocols.RuleTls tls = protocols.rule(gr.getMetadata().getNamespace(), rule.getBackendTLS(), tlsField, problems);
        boolean answers = filters.stream().anyMatch(Filter::answers);
        String idPrefix = "gatewayroute/" + ref.namespace() + "/" + ref.name() + "/rule/" + i + "/";

        if (resolver) {
            if (rule.getMatches() != null && !rule.getMatches().isEmpty())
                problems.invalid(f + ".matches", "a resolver rule takes no matches");
            if (rule.getBackendRefs() != null && !rule.getBackendRefs().isEmpty())
                problems.invalid(f + ".backendRefs", "a resolver rule takes no backendRefs");
            if (answers)
                problems.invalid(f + ".filters", "a resolver rule takes no RequestRedirect or DirectResponse filter");
            // A problem found above (e.g. ForwardRaw beside a path rewrite) leaves the rule out: the model refuses it.
            if (problems.leftOut() > before) return List.of();
            Optional<Route> route = resolverRules.route(gr, ref, rule.getResolver(), f + ".resolver", idPrefix + "resolver",
                    filters, timeouts, retry, balancer, healthCheck, forwardRawPath, maxBody, tls, tlsField, problems);
            if (route.isPresent()) BackendProtocols.warnUnused(tls, problems);
            return route.map(List::of).orElse(List.of());
        }

        List<RouteMatch> matches = GatewayRouteMatches.matches(rule.getMatches(), f + ".matches", problems);
        List<HTTPBackendRef> backendRefsWritten = rule.getBackendRefs() == null ? List.of() : rule.getBackendRefs();
        RouteAction action;
        if (answers) {
            if (!backendRefsWritten.isEmpty())
                problems.invalid(f + ".backendRefs", "not allowed beside a RequestRedirect or DirectResponse filter, which answers every request");
            action = new RouteAction.NoBackend();
        } else {
            action = new RouteAction.Forward(backends(gr, backendRefsWritten, f + ".backendRefs", balancer, healthCheck, tls,
                    tlsField, problems));
        }
        if (problems.leftOut() > before) return List.of(); // e.g. ForwardRaw beside a path rewrite: the model refuses it
        List<Route> routes = new ArrayList<>();
        for (int j = 0; j < matches.size(); j++) {
            routes.add(new Route(idPrefix + "match/" + j, ref, matches.get(j), action, filters, timeouts, retry,
                    forwardRawPath, maxBody));
        }
        return routes;
    }

    private List<WeightedBackend> backends(GatewayRoute gr, List<HTTPBackendRef> written, String f, BalancerPolicy balancer,
                                           HealthCheck healthCheck, BackendProtocols.RuleTls tls, String tlsField,
                                           ObjectProblems problems) {
        String namespace = gr.getMetadata().getNamespace();
        List<WeightedBackend> out = new ArrayList<>();
        boolean allResolved = true;
        for (int j = 0; j < written.size(); j++) {
            HTTPBackendRef b = written.get(j);
            String bf = f + "[" + j + "]";
            if (b == null || b.getName() == null || b.getName().isEmpty()) {
                problems.invalid(bf + ".name", "missing");
                continue;
            }
            if (b.getNamespace() != null && !b.getNamespace().equals(namespace)) {
                problems.invalid(bf + ".namespace", b.getNamespace() + " is not the route's namespace " + namespace
                        + "; a GatewayRoute may only send traffic to Services in its own namespace");
                continue;
            }
            if (b.getPort() == null || b.getPort() < 1 || b.getPort() > 65535) {
                problems.invalid(bf + ".port", b.getPort() == null ? "missing" : b.getPort() + " is not a port (1-65535)");
                continue;
            }
            int weight = b.getWeight() == null ? HTTPBackendRef.DEFAULT_WEIGHT : b.getWeight();
            if (weight < 0) {
                problems.invalid(bf + ".weight", weight + " is negative");
                continue;
            }
            // The backend keeps its share even when it cannot be reached: moving its traffic to the
            // others would overload them silently; the data plane answers its share 503 instead.
            BackendRefs.Written at = new BackendRefs.Written(bf + ".name", bf + ".port", "its share of requests gets 503");
            Optional<ServicePort> port = backendRefs.resolve(namespace, b.getName(), b.getPort(), null, at, problems);
            allResolved &= port.isPresent();
            BackendProtocol protocol = port.map(p -> protocols.of(namespace, b.getName(), p, tls, tlsField, at, problems))
                    .orElse(BackendProtocol.HTTP1); // no endpoints either way: 503
            out.add(new WeightedBackend(new ServiceKey(namespace, b.getName(), b.getPort()), weight, balancer, healthCheck,
                    protocol));
        }
        if (allResolved) BackendProtocols.warnUnused(tls, problems);
        return out;
    }
}
