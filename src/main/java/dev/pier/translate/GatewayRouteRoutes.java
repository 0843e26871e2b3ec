package dev.pier.translate;

import dev.pier.api.DirectResponseFilter;
import dev.pier.api.Durations;
import dev.pier.api.GatewayRoute;
import dev.pier.api.GatewayRouteConditions;
import dev.pier.api.GatewayRouteRule;
import dev.pier.api.HTTPBackendRef;
import dev.pier.api.HTTPHeader;
import dev.pier.api.HTTPHeaderFilter;
import dev.pier.api.HTTPHeaderMatch;
import dev.pier.api.HTTPPathMatch;
import dev.pier.api.HTTPPathModifier;
import dev.pier.api.HTTPQueryParamMatch;
import dev.pier.api.HTTPRequestRedirectFilter;
import dev.pier.api.HTTPRouteFilter;
import dev.pier.api.HTTPRouteMatch;
import dev.pier.api.HTTPRouteRetry;
import dev.pier.api.HTTPRouteTimeouts;
import dev.pier.api.HTTPURLRewriteFilter;
import dev.pier.api.LoadBalancerPolicy;
import dev.pier.api.NamespaceResolver;
import dev.pier.api.PathMatchType;
import dev.pier.api.StringMatchType;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.Filter;
import dev.pier.model.Header;
import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.ServiceKey;
import dev.pier.model.StringMatch;
import dev.pier.model.Timeouts;
import dev.pier.model.WeightedBackend;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The routes one GatewayRoute asks for. Each rule is checked on its own: a rule with an error is
 * left out (its messages go to {@link Outcome#invalid}), the other rules keep serving. A backendRef
 * to a missing Service or port keeps its rule and its share of the split, which the data plane
 * answers 503 (no endpoint) until the Service appears; that is reported in {@link Outcome#refs}.
 */
final class GatewayRouteRoutes {
    static final String KIND = GatewayRoute.KIND;
    static final Set<Integer> DEFAULT_RETRY_CODES = Set.of(502, 503, 504);
    static final Set<Integer> REDIRECT_CODES = Set.of(301, 302, 303, 307, 308);
    private static final Pattern VERSIONED_NAME = Pattern.compile("v[0-9]+-.+");

    private final Map<String, Service> services; // "namespace/name" -> Service
    private final List<Service> allServices;
    private final TranslateOptions options;

    GatewayRouteRoutes(Map<String, Service> services, List<Service> allServices, TranslateOptions options) {
        this.services = services;
        this.allServices = allServices;
        this.options = options;
    }

    /** A problem with a referenced Service: the rule stays, the reason goes to ResolvedRefs. */
    record RefProblem(String reason, String message) {
    }

    /**
     * What translating one GatewayRoute gave.
     *
     * @param invalid messages about what was left out (rules, hostnames); they decide Accepted
     * @param refs    missing Services and ports; they decide ResolvedRefs
     */
    record Outcome(List<HostRoute> routes, int ruleCount, List<String> invalid, List<RefProblem> refs) {
    }

    static ObjectRef ref(GatewayRoute route) {
        return new ObjectRef(KIND, route.getMetadata().getNamespace(), route.getMetadata().getName());
    }

    static String createdAt(GatewayRoute route) {
        String t = route.getMetadata().getCreationTimestamp();
        return t == null ? "" : t;
    }

    /** The prefix of the ids of rule {@code i}'s routes; ids are {@code <prefix>match/<j>} or {@code <prefix>resolver}. */
    static String ruleIdPrefix(ObjectRef ref, int i) {
        return "gatewayroute/" + ref.namespace() + "/" + ref.name() + "/rule/" + i + "/";
    }

    Outcome translate(GatewayRoute gr) {
        List<String> invalid = new ArrayList<>();
        List<RefProblem> refs = new ArrayList<>();
        List<HostRoute> out = new ArrayList<>();
        List<GatewayRouteRule> rules = gr.getSpec() == null || gr.getSpec().getRules() == null
                ? List.of() : gr.getSpec().getRules();
        if (rules.isEmpty()) invalid.add("spec.rules: empty; there is nothing to serve");
        List<String> hosts = hostnames(gr, invalid);
        for (int i = 0; i < rules.size(); i++) {
            GatewayRouteRule rule = rules.get(i);
            if (rule == null) {
                invalid.add("rules[" + i + "]: empty");
                continue;
            }
            List<String> errors = new ArrayList<>();
            List<Route> routes = rule(gr, i, rule, errors, refs);
            invalid.addAll(errors);
            if (!errors.isEmpty()) continue;
            String createdAt = createdAt(gr);
            for (int j = 0; j < routes.size(); j++) {
                Route route = routes.get(j);
                String field = rule.getResolver() != null ? "rules[" + i + "].resolver" : "rules[" + i + "].matches[" + j + "]";
                for (String host : hosts) {
                    out.add(new HostRoute(host, route, RoutePrecedence.Key.of(route, createdAt, i, j), field));
                }
            }
        }
        return new Outcome(out, rules.size(), invalid, refs);
    }

    /** {@code *} when none is written; invalid names are left out and reported. */
    private static List<String> hostnames(GatewayRoute gr, List<String> invalid) {
        List<String> written = gr.getSpec() == null ? null : gr.getSpec().getHostnames();
        if (written == null || written.isEmpty()) return List.of("*");
        LinkedHashSet<String> hosts = new LinkedHashSet<>();
        for (int h = 0; h < written.size(); h++) {
            String name = written.get(h);
            Optional<String> host = name == null || name.isEmpty() || name.equals("*")
                    ? Optional.empty() : IngressRoutes.hostname(name);
            if (host.isEmpty()) {
                invalid.add("spec.hostnames[" + h + "]: \"" + name + "\" is not a valid host name"
                        + " (a DNS name, optionally starting with \"*.\"); it is left out");
            } else {
                hosts.add(host.get());
            }
        }
        return List.copyOf(hosts);
    }

    /** The routes of one rule (one per match, or the resolver's one); {@code errors} non-empty means left out. */
    private List<Route> rule(GatewayRoute gr, int i, GatewayRouteRule rule, List<String> errors, List<RefProblem> refs) {
        ObjectRef ref = ref(gr);
        String f = "rules[" + i + "]";
        boolean resolver = rule.getResolver() != null;
        boolean prefixOnly = resolver || allPathPrefix(rule.getMatches());
        List<Filter> filters = filters(rule.getFilters(), f + ".filters", prefixOnly, errors);
        Timeouts timeouts = timeouts(rule.getTimeouts(), f + ".timeouts", errors);
        RetryPolicy retry = retry(rule.getRetry(), f + ".retry", errors);
        BalancerPolicy balancer = balancer(rule.getLoadBalancer(), f + ".loadBalancer", errors);
        boolean answers = filters.stream().anyMatch(x -> x instanceof Filter.RequestRedirect || x instanceof Filter.DirectResponse);
        String idPrefix = ruleIdPrefix(ref, i);

        if (resolver) {
            if (rule.getMatches() != null && !rule.getMatches().isEmpty())
                errors.add(f + ".matches: a resolver rule takes no matches");
            if (rule.getBackendRefs() != null && !rule.getBackendRefs().isEmpty())
                errors.add(f + ".backendRefs: a resolver rule takes no backendRefs");
            if (answers)
                errors.add(f + ".filters: a resolver rule takes no RequestRedirect or DirectResponse filter");
            Optional<Route> route = resolverRoute(gr, rule.getResolver(), f + ".resolver", idPrefix + "resolver",
                    filters, timeouts, retry, balancer, errors);
            return route.map(List::of).orElse(List.of());
        }

        List<RouteMatch> matches = matches(rule.getMatches(), f + ".matches", errors);
        List<HTTPBackendRef> backendRefs = rule.getBackendRefs() == null ? List.of() : rule.getBackendRefs();
        RouteAction action;
        if (answers) {
            if (!backendRefs.isEmpty())
                errors.add(f + ".backendRefs: not allowed beside a RequestRedirect or DirectResponse filter, which answers every request");
            action = new RouteAction.NoBackend();
        } else {
            action = new RouteAction.Forward(backends(gr, backendRefs, f + ".backendRefs", balancer, errors, refs));
        }
        List<Route> routes = new ArrayList<>();
        for (int j = 0; j < matches.size(); j++) {
            routes.add(new Route(idPrefix + "match/" + j, ref, matches.get(j), action, filters, timeouts, retry));
        }
        return routes;
    }

    // ---- matches ---------------------------------------------------------------------------

    private static boolean allPathPrefix(List<HTTPRouteMatch> matches) {
        if (matches == null) return true;
        for (HTTPRouteMatch m : matches) {
            PathMatchType type = m == null || m.getPath() == null ? null : m.getPath().getType();
            if (type != null && type != PathMatchType.PATH_PREFIX) return false;
        }
        return true;
    }

    /** No matches means one match of every path, as in Gateway API. */
    private static List<RouteMatch> matches(List<HTTPRouteMatch> written, String f, List<String> errors) {
        if (written == null || written.isEmpty()) return List.of(RouteMatch.path(PathMatch.prefix("/")));
        List<RouteMatch> out = new ArrayList<>();
        for (int j = 0; j < written.size(); j++) {
            HTTPRouteMatch m = written.get(j) == null ? new HTTPRouteMatch() : written.get(j);
            String mf = f + "[" + j + "]";
            PathMatch path = path(m.getPath(), mf + ".path", errors);
            String method = m.getMethod() == null ? null : m.getMethod().wireName();
            List<StringMatch> headers = stringMatches(m.getHeaders() == null ? List.of() : m.getHeaders().stream()
                    .map(h -> h == null ? null : new Written(h.getName(), h.getType(), h.getValue())).toList(),
                    mf + ".headers", true, errors);
            List<StringMatch> query = stringMatches(m.getQueryParams() == null ? List.of() : m.getQueryParams().stream()
                    .map(q -> q == null ? null : new Written(q.getName(), q.getType(), q.getValue())).toList(),
                    mf + ".queryParams", false, errors);
            if (path != null) out.add(new RouteMatch(path, method, headers, query));
        }
        return out;
    }

    private static PathMatch path(HTTPPathMatch p, String f, List<String> errors) {
        PathMatchType type = p == null || p.getType() == null ? PathMatchType.PATH_PREFIX : p.getType();
        String value = p == null || p.getValue() == null ? "/" : p.getValue();
        if (type == PathMatchType.REGULAR_EXPRESSION) {
            return regex(value, f + ".value", errors) ? PathMatch.regex(value) : null;
        }
        if (!value.startsWith("/")) {
            errors.add(f + ".value: \"" + value + "\" does not start with \"/\" (required for " + type.wireName() + ")");
            return null;
        }
        return type == PathMatchType.EXACT ? PathMatch.exact(value) : PathMatch.prefix(IngressPaths.normalizePrefix(value));
    }

    /** A header or query match as written; both API classes have the same three fields. */
    private record Written(String name, StringMatchType type, String value) {
    }

    private static List<StringMatch> stringMatches(List<Written> written, String f, boolean header, List<String> errors) {
        List<StringMatch> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < written.size(); k++) {
            Written w = written.get(k);
            String kf = f + "[" + k + "]";
            if (w == null || w.name() == null || w.name().isEmpty()) {
                errors.add(kf + ".name: missing");
                continue;
            }
            if (w.value() == null) {
                errors.add(kf + ".value: missing");
                continue;
            }
            // Header names compare case-insensitively (stored lower-case); query names exactly.
            String name = header ? w.name().toLowerCase(Locale.ROOT) : w.name();
            if (!seen.add(name)) {
                errors.add(kf + ".name: \"" + w.name() + "\" occurs more than once in this match");
                continue;
            }
            if (w.type() == StringMatchType.REGULAR_EXPRESSION) {
                if (regex(w.value(), kf + ".value", errors)) out.add(new StringMatch(name, StringMatch.Type.REGEX, w.value()));
            } else {
                out.add(StringMatch.exact(name, w.value()));
            }
        }
        return out;
    }

    private static boolean regex(String value, String f, List<String> errors) {
        try {
            Pattern.compile(value);
            return true;
        } catch (PatternSyntaxException e) {
            errors.add(f + ": invalid regular expression \"" + value + "\": " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
            return false;
        }
    }

    // ---- backends --------------------------------------------------------------------------

    private List<WeightedBackend> backends(GatewayRoute gr, List<HTTPBackendRef> refsWritten, String f,
                                           BalancerPolicy balancer, List<String> errors, List<RefProblem> refs) {
        String namespace = gr.getMetadata().getNamespace();
        List<WeightedBackend> out = new ArrayList<>();
        for (int j = 0; j < refsWritten.size(); j++) {
            HTTPBackendRef b = refsWritten.get(j);
            String bf = f + "[" + j + "]";
            if (b == null || b.getName() == null || b.getName().isEmpty()) {
                errors.add(bf + ".name: missing");
                continue;
            }
            if (b.getNamespace() != null && !b.getNamespace().equals(namespace)) {
                errors.add(bf + ".namespace: " + b.getNamespace() + " is not the route's namespace " + namespace
                        + "; a GatewayRoute may only send traffic to Services in its own namespace");
                continue;
            }
            if (b.getPort() == null || b.getPort() < 1 || b.getPort() > 65535) {
                errors.add(bf + ".port: " + (b.getPort() == null ? "missing" : b.getPort() + " is not a port (1-65535)"));
                continue;
            }
            int weight = b.getWeight() == null ? HTTPBackendRef.DEFAULT_WEIGHT : b.getWeight();
            if (weight < 0) {
                errors.add(bf + ".weight: " + weight + " is negative");
                continue;
            }
            String serviceName = namespace + "/" + b.getName();
            Service service = services.get(serviceName);
            // The backend keeps its share even when it cannot be reached: moving its traffic to the
            // others would overload them silently; the data plane answers its share 503 instead.
            if (service == null) {
                refs.add(new RefProblem(GatewayRouteConditions.REASON_BACKEND_NOT_FOUND,
                        bf + ".name: Service " + serviceName + " not found; its share of requests gets 503"));
            } else if (Endpoints.isExternalName(service) && !options.allowExternalName()) {
                refs.add(new RefProblem(GatewayRouteConditions.REASON_UNSUPPORTED_BACKEND,
                        bf + ".name: Service " + serviceName + " is of type ExternalName, which is not allowed"
                                + " (--allow-external-name); its share of requests gets 503"));
            } else if (ports(service).stream().noneMatch(p -> b.getPort().equals(p.getPort()))) {
                refs.add(new RefProblem(GatewayRouteConditions.REASON_PORT_NOT_FOUND,
                        bf + ".port: Service " + serviceName + " has no port " + b.getPort()
                                + "; its share of requests gets 503"));
            }
            out.add(new WeightedBackend(new ServiceKey(namespace, b.getName(), b.getPort()), weight, balancer));
        }
        return out;
    }

    private static List<ServicePort> ports(Service service) {
        return service.getSpec() == null || service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
    }

    private static BalancerPolicy balancer(LoadBalancerPolicy lb, String f, List<String> errors) {
        if (lb == null) return BalancerPolicy.ROUND_ROBIN;
        var type = lb.getType() == null ? dev.pier.api.LoadBalancerType.ROUND_ROBIN : lb.getType();
        BalancerPolicy.Type modelType = switch (type) {
            case RANDOM -> BalancerPolicy.Type.RANDOM;
            case ROUND_ROBIN -> BalancerPolicy.Type.ROUND_ROBIN;
            case WEIGHTED_ROUND_ROBIN -> BalancerPolicy.Type.WEIGHTED_ROUND_ROBIN;
            case CONSISTENT_HASH -> BalancerPolicy.Type.CONSISTENT_HASH;
            case LEAST_REQUEST -> BalancerPolicy.Type.LEAST_REQUEST;
        };
        var on = lb.getHashOn();
        if (modelType != BalancerPolicy.Type.CONSISTENT_HASH) {
            if (on != null) errors.add(f + ".hashOn: only allowed for type ConsistentHash, not " + type.wireName());
            return modelType == BalancerPolicy.Type.ROUND_ROBIN ? BalancerPolicy.ROUND_ROBIN : new BalancerPolicy(modelType, null);
        }
        if (on == null) {
            errors.add(f + ".hashOn: required for type ConsistentHash");
            return BalancerPolicy.ROUND_ROBIN;
        }
        List<BalancerPolicy.HashOn> set = new ArrayList<>();
        if (on.getHeader() != null) set.add(new BalancerPolicy.HashOn(BalancerPolicy.HashOn.Source.HEADER, on.getHeader().toLowerCase(Locale.ROOT)));
        if (on.getCookie() != null) set.add(new BalancerPolicy.HashOn(BalancerPolicy.HashOn.Source.COOKIE, on.getCookie()));
        if (on.getSourceIP() != null) {
            if (!on.getSourceIP()) errors.add(f + ".hashOn.sourceIP: must be true when set");
            set.add(new BalancerPolicy.HashOn(BalancerPolicy.HashOn.Source.SOURCE_IP, ""));
        }
        if (on.getQueryParam() != null) set.add(new BalancerPolicy.HashOn(BalancerPolicy.HashOn.Source.QUERY_PARAM, on.getQueryParam()));
        if (set.size() != 1) {
            errors.add(f + ".hashOn: set exactly one of header, cookie, sourceIP, queryParam (" + set.size() + " set)");
            return BalancerPolicy.ROUND_ROBIN;
        }
        if (set.get(0).source() != BalancerPolicy.HashOn.Source.SOURCE_IP && set.get(0).name().isEmpty()) {
            errors.add(f + ".hashOn: the name to hash is empty");
        }
        return new BalancerPolicy(BalancerPolicy.Type.CONSISTENT_HASH, set.get(0));
    }

    // ---- filters, timeouts, retry -----------------------------------------------------------

    /** @param prefixOnly whether every match of the rule is a PathPrefix (ReplacePrefixMatch needs it) */
    private static List<Filter> filters(List<HTTPRouteFilter> written, String f, boolean prefixOnly, List<String> errors) {
        if (written == null) return List.of();
        List<Filter> out = new ArrayList<>();
        Set<dev.pier.api.FilterType> seen = EnumSet.noneOf(dev.pier.api.FilterType.class);
        boolean rewrites = false;
        boolean answers = false;
        for (int k = 0; k < written.size(); k++) {
            HTTPRouteFilter w = written.get(k);
            String kf = f + "[" + k + "]";
            if (w == null || w.getType() == null) {
                errors.add(kf + ".type: missing");
                continue;
            }
            if (!seen.add(w.getType())) {
                errors.add(kf + ".type: " + w.getType().wireName() + " occurs more than once in this rule");
                continue;
            }
            String field = kf + "." + Character.toLowerCase(w.getType().wireName().charAt(0)) + w.getType().wireName().substring(1);
            if (w.getType() == dev.pier.api.FilterType.URL_REWRITE) field = kf + ".urlRewrite";
            Object settings = switch (w.getType()) {
                case REQUEST_HEADER_MODIFIER -> w.getRequestHeaderModifier();
                case RESPONSE_HEADER_MODIFIER -> w.getResponseHeaderModifier();
                case URL_REWRITE -> w.getUrlRewrite();
                case REQUEST_REDIRECT -> w.getRequestRedirect();
                case DIRECT_RESPONSE -> w.getDirectResponse();
            };
            if (settings == null) {
                errors.add(field + ": required for type " + w.getType().wireName());
                continue;
            }
            int others = (w.getRequestHeaderModifier() != null ? 1 : 0) + (w.getResponseHeaderModifier() != null ? 1 : 0)
                    + (w.getUrlRewrite() != null ? 1 : 0) + (w.getRequestRedirect() != null ? 1 : 0)
                    + (w.getDirectResponse() != null ? 1 : 0);
            if (others > 1) {
                errors.add(kf + ": sets the settings of more than its type " + w.getType().wireName());
                continue;
            }
            switch (w.getType()) {
                case REQUEST_HEADER_MODIFIER -> headerModifier((HTTPHeaderFilter) settings, field, errors)
                        .ifPresent(m -> out.add(new Filter.RequestHeaderModifier(m)));
                case RESPONSE_HEADER_MODIFIER -> headerModifier((HTTPHeaderFilter) settings, field, errors)
                        .ifPresent(m -> out.add(new Filter.ResponseHeaderModifier(m)));
                case URL_REWRITE -> {
                    rewrites = true;
                    HTTPURLRewriteFilter u = (HTTPURLRewriteFilter) settings;
                    Filter.PathRewrite path = u.getPath() == null ? null : pathRewrite(u.getPath(), field + ".path", prefixOnly, errors);
                    if (u.getPath() == null || path != null) out.add(new Filter.UrlRewrite(u.getHostname(), path));
                }
                case REQUEST_REDIRECT -> {
                    answers = true;
                    HTTPRequestRedirectFilter r = (HTTPRequestRedirectFilter) settings;
                    int code = r.getStatusCode() == null ? HTTPRequestRedirectFilter.DEFAULT_STATUS_CODE : r.getStatusCode();
                    boolean ok = true;
                    if (!REDIRECT_CODES.contains(code)) {
                        errors.add(field + ".statusCode: " + code + " is not one of 301, 302, 303, 307, 308");
                        ok = false;
                    }
                    if (r.getPort() != null && (r.getPort() < 1 || r.getPort() > 65535)) {
                        errors.add(field + ".port: " + r.getPort() + " is not a port (1-65535)");
                        ok = false;
                    }
                    Filter.PathRewrite path = r.getPath() == null ? null : pathRewrite(r.getPath(), field + ".path", prefixOnly, errors);
                    if (r.getPath() != null && path == null) ok = false;
                    if (ok) out.add(new Filter.RequestRedirect(r.getScheme() == null ? null : r.getScheme().wireName(),
                            r.getHostname(), r.getPort(), path, code));
                }
                case DIRECT_RESPONSE -> {
                    answers = true;
                    DirectResponseFilter d = (DirectResponseFilter) settings;
                    if (d.getStatus() == null || d.getStatus() < 200 || d.getStatus() > 599) {
                        errors.add(field + ".status: " + (d.getStatus() == null ? "missing" : d.getStatus() + " is not a status (200-599)"));
                    } else {
                        out.add(new Filter.DirectResponse(d.getStatus(), d.getBody() == null ? "" : d.getBody()));
                    }
                }
            }
        }
        if (seen.contains(dev.pier.api.FilterType.REQUEST_REDIRECT) && seen.contains(dev.pier.api.FilterType.DIRECT_RESPONSE)) {
            errors.add(f + ": RequestRedirect and DirectResponse both answer the request; a rule takes one of them");
        }
        if (rewrites && answers) {
            errors.add(f + ": URLRewrite is not allowed beside RequestRedirect or DirectResponse (nothing is forwarded to rewrite)");
        }
        return out;
    }

    private static Optional<Filter.HeaderModifier> headerModifier(HTTPHeaderFilter h, String f, List<String> errors) {
        int before = errors.size();
        List<Header> set = headers(h.getSet(), f + ".set", errors);
        List<Header> add = headers(h.getAdd(), f + ".add", errors);
        List<String> remove = new ArrayList<>();
        List<String> writtenRemove = h.getRemove() == null ? List.of() : h.getRemove();
        for (int k = 0; k < writtenRemove.size(); k++) {
            String name = writtenRemove.get(k);
            if (name == null || name.isEmpty()) errors.add(f + ".remove[" + k + "]: empty");
            else remove.add(name);
        }
        return errors.size() == before ? Optional.of(new Filter.HeaderModifier(set, add, remove)) : Optional.empty();
    }

    private static List<Header> headers(List<HTTPHeader> written, String f, List<String> errors) {
        List<Header> out = new ArrayList<>();
        for (int k = 0; written != null && k < written.size(); k++) {
            HTTPHeader h = written.get(k);
            if (h == null || h.getName() == null || h.getName().isEmpty()) errors.add(f + "[" + k + "].name: missing");
            else if (h.getValue() == null) errors.add(f + "[" + k + "].value: missing");
            else out.add(new Header(h.getName(), h.getValue()));
        }
        return out;
    }

    private static Filter.PathRewrite pathRewrite(HTTPPathModifier m, String f, boolean prefixOnly, List<String> errors) {
        if (m.getType() == null) {
            errors.add(f + ".type: missing");
            return null;
        }
        switch (m.getType()) {
            case REPLACE_FULL_PATH -> {
                if (m.getReplaceFullPath() == null) {
                    errors.add(f + ".replaceFullPath: required for type ReplaceFullPath");
                    return null;
                }
                if (m.getReplacePrefixMatch() != null) {
                    errors.add(f + ".replacePrefixMatch: not allowed for type ReplaceFullPath");
                    return null;
                }
                return new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_FULL_PATH, m.getReplaceFullPath());
            }
            case REPLACE_PREFIX_MATCH -> {
                if (m.getReplacePrefixMatch() == null) {
                    errors.add(f + ".replacePrefixMatch: required for type ReplacePrefixMatch");
                    return null;
                }
                if (m.getReplaceFullPath() != null) {
                    errors.add(f + ".replaceFullPath: not allowed for type ReplacePrefixMatch");
                    return null;
                }
                if (!prefixOnly) {
                    // As in Gateway API: with an Exact or regex match there is no prefix to replace.
                    errors.add(f + ".type: ReplacePrefixMatch needs every match of the rule to be a PathPrefix path");
                    return null;
                }
                return new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_PREFIX_MATCH, m.getReplacePrefixMatch());
            }
        }
        throw new IllegalStateException("path modifier type " + m.getType());
    }

    private static Timeouts timeouts(HTTPRouteTimeouts t, String f, List<String> errors) {
        if (t == null) return Timeouts.NONE;
        Duration request = duration(t.getRequest(), f + ".request", errors);
        Duration backend = duration(t.getBackendRequest(), f + ".backendRequest", errors);
        if (request != null && backend != null && backend.compareTo(request) > 0) {
            errors.add(f + ".backendRequest: " + t.getBackendRequest() + " exceeds request " + t.getRequest());
        }
        return new Timeouts(request, backend);
    }

    /** Retries pause {@link Duration#ZERO} unless {@code backoff} says otherwise (the API's documented default). */
    private static RetryPolicy retry(HTTPRouteRetry r, String f, List<String> errors) {
        if (r == null) return RetryPolicy.NONE;
        int attempts = r.getAttempts() == null ? 0 : r.getAttempts();
        if (attempts < 0 || attempts > 10) errors.add(f + ".attempts: " + attempts + " is not in 0-10");
        Duration backoff = r.getBackoff() == null ? Duration.ZERO : duration(r.getBackoff(), f + ".backoff", errors);
        Set<Integer> codes = DEFAULT_RETRY_CODES;
        if (r.getCodes() != null) {
            codes = new java.util.TreeSet<>();
            for (int k = 0; k < r.getCodes().size(); k++) {
                Integer code = r.getCodes().get(k);
                if (code == null || code < 500 || code > 599) errors.add(f + ".codes[" + k + "]: " + code + " is not in 500-599");
                else codes.add(code);
            }
        }
        if (attempts <= 0 || backoff == null) return RetryPolicy.NONE;
        return new RetryPolicy(attempts, backoff, codes);
    }

    private static Duration duration(String text, String f, List<String> errors) {
        if (text == null) return null;
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            errors.add(f + ": " + e.getMessage());
            return null;
        }
    }

    // ---- namespace resolver ----------------------------------------------------------------

    /**
     * The resolver's route: PathPrefix of its mount. The {@code services} map of
     * {@link RouteAction.Resolve} is keyed by the <b>full Service name</b> ({@code metadata.name},
     * which is {@code servicePrefix} + the name the path yields), because the data plane looks up
     * {@code servicePrefix + name}, where {@code name} is the first segment after the mount with
     * dots turned to dashes, or {@code vN-<segment>} when versioned. Values are the Service port
     * chosen by {@code resolver.port}. Only Services that path can name are put in: selected by
     * the selector, starting with servicePrefix with a non-empty rest, and when versioned, with a
     * rest of the form {@code vN-name}.
     */
    private Optional<Route> resolverRoute(GatewayRoute gr, NamespaceResolver r, String f, String id, List<Filter> filters,
                                          Timeouts timeouts, RetryPolicy retry, BalancerPolicy balancer, List<String> errors) {
        String own = gr.getMetadata().getNamespace();
        String namespace = r.getNamespace() == null || r.getNamespace().isEmpty() ? own : r.getNamespace();
        int before = errors.size();
        if (!namespace.equals(own) && !options.resolverNamespaces().contains(namespace)) {
            // Resolving exposes every selected Service of a namespace: only its own, unless the operator allows more.
            errors.add(f + ".namespace: \"" + namespace + "\" is not allowed: a route may resolve only its own namespace (\""
                    + own + "\") or one Pier is configured to allow (resolverNamespaces)");
        }
        String mount = r.getPathPrefix() == null ? "/" : r.getPathPrefix();
        if (!mount.startsWith("/") || mount.indexOf('?') >= 0 || mount.indexOf('#') >= 0) {
            errors.add(f + ".pathPrefix: \"" + mount + "\" must start with \"/\" and hold no \"?\" or \"#\"");
        }
        String servicePrefix = r.getServicePrefix() == null ? "" : r.getServicePrefix();
        boolean versioned = Boolean.TRUE.equals(r.getVersioned());
        Optional<LabelSelectorMatcher> selector = LabelSelectorMatcher.of(r.getSelector(), f + ".selector", errors);
        if (errors.size() > before || selector.isEmpty()) return Optional.empty();
        mount = IngressPaths.normalizePrefix(mount);

        Map<String, ServiceKey> resolved = new TreeMap<>();
        for (Service s : allServices) {
            String name = s.getMetadata().getName();
            if (!namespace.equals(s.getMetadata().getNamespace()) || !name.startsWith(servicePrefix)) continue;
            String rest = name.substring(servicePrefix.length());
            if (rest.isEmpty() || (versioned && !VERSIONED_NAME.matcher(rest).matches())) continue;
            if (!selector.get().matches(s.getMetadata().getLabels())) continue;
            if (Endpoints.isExternalName(s) && !options.allowExternalName()) continue;
            Integer port = resolverPort(s, r.getPort());
            if (port != null) resolved.put(name, new ServiceKey(namespace, name, port));
        }
        return Optional.of(new Route(id, ref(gr), RouteMatch.path(PathMatch.prefix(mount)),
                new RouteAction.Resolve(namespace, mount, servicePrefix, versioned, resolved, balancer),
                filters, timeouts, retry));
    }

    /** The Service port number {@code wanted} names (by name or number), the first port when null; null if none. */
    private static Integer resolverPort(Service s, IntOrString wanted) {
        List<ServicePort> ports = ports(s);
        if (wanted == null || (wanted.getIntVal() == null && wanted.getStrVal() == null)) {
            return ports.isEmpty() ? null : ports.get(0).getPort();
        }
        for (ServicePort p : ports) {
            if (p.getPort() == null) continue;
            if (wanted.getIntVal() != null ? wanted.getIntVal().equals(p.getPort()) : wanted.getStrVal().equals(p.getName())) {
                return p.getPort();
            }
        }
        return null;
    }

    /** A Kubernetes label selector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), all must hold. */
    record LabelSelectorMatcher(Map<String, String> labels, List<LabelSelectorRequirement> expressions) {
        static final LabelSelectorMatcher EXPOSED = new LabelSelectorMatcher(
                Map.of(NamespaceResolver.DEFAULT_EXPOSE_LABEL, "true"), List.of());

        /** Null selects the opted-in Services ({@value NamespaceResolver#DEFAULT_EXPOSE_LABEL}: "true"); {} every Service. */
        static Optional<LabelSelectorMatcher> of(LabelSelector s, String f, List<String> errors) {
            if (s == null) return Optional.of(EXPOSED);
            List<LabelSelectorRequirement> exprs = s.getMatchExpressions() == null ? List.of() : s.getMatchExpressions();
            boolean ok = true;
            for (int k = 0; k < exprs.size(); k++) {
                LabelSelectorRequirement e = exprs.get(k);
                String ef = f + ".matchExpressions[" + k + "]";
                List<String> values = e.getValues() == null ? List.of() : e.getValues();
                if (e.getKey() == null || e.getKey().isEmpty()) {
                    errors.add(ef + ".key: missing");
                    ok = false;
                } else if (e.getOperator() == null || !Set.of("In", "NotIn", "Exists", "DoesNotExist").contains(e.getOperator())) {
                    errors.add(ef + ".operator: \"" + e.getOperator() + "\" is not one of In, NotIn, Exists, DoesNotExist");
                    ok = false;
                } else if ((e.getOperator().equals("In") || e.getOperator().equals("NotIn")) && values.isEmpty()) {
                    errors.add(ef + ".values: required for operator " + e.getOperator());
                    ok = false;
                } else if ((e.getOperator().equals("Exists") || e.getOperator().equals("DoesNotExist")) && !values.isEmpty()) {
                    errors.add(ef + ".values: must be empty for operator " + e.getOperator());
                    ok = false;
                }
            }
            if (!ok) return Optional.empty();
            return Optional.of(new LabelSelectorMatcher(s.getMatchLabels() == null ? Map.of() : s.getMatchLabels(), exprs));
        }

        boolean matches(Map<String, String> have) {
            Map<String, String> l = have == null ? Map.of() : have;
            for (var e : labels.entrySet()) {
                if (!Objects.equals(e.getValue(), l.get(e.getKey()))) return false;
            }
            for (LabelSelectorRequirement e : expressions) {
                String v = l.get(e.getKey());
                boolean holds = switch (e.getOperator()) {
                    case "In" -> v != null && e.getValues().contains(v);
                    case "NotIn" -> v == null || !e.getValues().contains(v); // as Kubernetes: an absent label is "not in"
                    case "Exists" -> l.containsKey(e.getKey());
                    case "DoesNotExist" -> !l.containsKey(e.getKey());
                    default -> false;
                };
                if (!holds) return false;
            }
            return true;
        }
    }
}
