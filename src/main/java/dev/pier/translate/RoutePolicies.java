package dev.pier.translate;

import dev.pier.api.ByteSizes;
import dev.pier.api.Durations;
import dev.pier.api.HealthCheck;
import dev.pier.api.PathPolicy;
import dev.pier.api.HTTPRouteRetry;
import dev.pier.api.HTTPRouteTimeouts;
import dev.pier.api.LoadBalancerPolicy;
import dev.pier.api.LoadBalancerType;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** The policies of a GatewayRoute rule: timeouts, retries and the load-balancing policy of its backends. */
final class RoutePolicies {
    static final Set<Integer> DEFAULT_RETRY_CODES = Set.of(502, 503, 504);

    private RoutePolicies() {
    }

    static Timeouts timeouts(HTTPRouteTimeouts t, String f, ObjectProblems problems) {
        if (t == null) return Timeouts.NONE;
        Duration request = duration(t.getRequest(), f + ".request", problems);
        Duration backend = duration(t.getBackendRequest(), f + ".backendRequest", problems);
        if (request != null && backend != null && backend.compareTo(request) > 0) {
            problems.invalid(f + ".backendRequest", t.getBackendRequest() + " exceeds request " + t.getRequest());
        }
        Duration connect = positive(duration(t.getConnect(), f + ".connect", problems), f + ".connect", problems);
        Duration websocketIdle = positive(duration(t.getWebsocketIdle(), f + ".websocketIdle", problems), f + ".websocketIdle", problems);
        return new Timeouts(request, backend, connect, websocketIdle);
    }

    private static Duration positive(Duration d, String f, ObjectProblems problems) {
        if (d != null && d.isZero()) {
            problems.invalid(f, "must be more than zero");
            return null;
        }
        return d;
    }

    /** The rule's body size limit in bytes, or null for the listener's default. */
    static Long maxRequestBody(String text, String f, ObjectProblems problems) {
        if (text == null) return null;
        try {
            return ByteSizes.parse(text);
        } catch (IllegalArgumentException e) {
            problems.invalid(f, e.getMessage());
            return null;
        }
    }

    /** Retries pause {@link Duration#ZERO} unless {@code backoff} says otherwise (the API's documented default). */
    static RetryPolicy retry(HTTPRouteRetry r, String f, ObjectProblems problems) {
        if (r == null) return RetryPolicy.NONE;
        int attempts = r.getAttempts() == null ? 0 : r.getAttempts();
        if (attempts < 0 || attempts > 10) problems.invalid(f + ".attempts", attempts + " is not in 0-10");
        Duration backoff = r.getBackoff() == null ? Duration.ZERO : duration(r.getBackoff(), f + ".backoff", problems);
        Set<Integer> codes = DEFAULT_RETRY_CODES;
        if (r.getCodes() != null) {
            codes = new TreeSet<>();
            for (int k = 0; k < r.getCodes().size(); k++) {
                Integer code = r.getCodes().get(k);
                if (code == null || code < 500 || code > 599) problems.invalid(f + ".codes[" + k + "]", code + " is not in 500-599");
                else codes.add(code);
            }
        }
        if (attempts <= 0 || backoff == null) return RetryPolicy.NONE;
        return new RetryPolicy(attempts, backoff, codes);
    }

    static BalancerPolicy balancer(LoadBalancerPolicy lb, String f, ObjectProblems problems) {
        if (lb == null) return BalancerPolicy.ROUND_ROBIN;
        LoadBalancerType type = lb.getType() == null ? LoadBalancerType.ROUND_ROBIN : lb.getType();
        BalancerPolicy.Type modelType = switch (type) {
            case RANDOM -> BalancerPolicy.Type.RANDOM;
            case ROUND_ROBIN -> BalancerPolicy.Type.ROUND_ROBIN;
            case WEIGHTED_ROUND_ROBIN -> BalancerPolicy.Type.WEIGHTED_ROUND_ROBIN;
            case CONSISTENT_HASH -> BalancerPolicy.Type.CONSISTENT_HASH;
            case LEAST_REQUEST -> BalancerPolicy.Type.LEAST_REQUEST;
        };
        var on = lb.getHashOn();
        if (modelType != BalancerPolicy.Type.CONSISTENT_HASH) {
            if (on != null) problems.invalid(f + ".hashOn", "only allowed for type ConsistentHash, not " + type.wireName());
            return modelType == BalancerPolicy.Type.ROUND_ROBIN ? BalancerPolicy.ROUND_ROBIN : new BalancerPolicy(modelType, null);
        }
        if (on == null) {
            problems.invalid(f + ".hashOn", "required for type ConsistentHash");
            return BalancerPolicy.ROUND_ROBIN;
        }
        List<BalancerPolicy.HashOn> set = new ArrayList<>();
        if (on.getHeader() != null) set.add(new BalancerPolicy.HashOn(BalancerPolicy.HashOn.Source.HEADER, on.getHeader().toLowerCase(Locale.ROOT)));
        if (on.getCookie() != null) set.add(new BalancerPolicy.HashOn(BalancerPolicy.HashOn.Source.COOKIE, on.getCookie()));
        if (on.getSourceIP() != null) {
            if (!on.getSourceIP()) problems.invalid(f + ".hashOn.sourceIP", "must be true when set");
            set.add(new BalancerPolicy.HashOn(BalancerPolicy.HashOn.Source.SOURCE_IP, ""));
        }
        if (on.getQueryParam() != null) set.add(new BalancerPolicy.HashOn(BalancerPolicy.HashOn.Source.QUERY_PARAM, on.getQueryParam()));
        if (set.size() != 1) {
            problems.invalid(f + ".hashOn", "set exactly one of header, cookie, sourceIP, queryParam (" + set.size() + " set)");
            return BalancerPolicy.ROUND_ROBIN;
        }
        if (set.get(0).source() != BalancerPolicy.HashOn.Source.SOURCE_IP && set.get(0).name().isEmpty()) {
            problems.invalid(f + ".hashOn", "the name to hash is empty");
        }
        return new BalancerPolicy(BalancerPolicy.Type.CONSISTENT_HASH, set.get(0));
    }

    /** Null when not written; invalid fields are reported (the rule is then left out) and null returned. */
    static dev.pier.model.HealthCheck healthCheck(HealthCheck h, String f, ObjectProblems problems) {
        if (h == null) return null;
        int before = problems.leftOut();
        String path = h.getPath();
        if (path == null || path.isEmpty()) {
            problems.invalid(f + ".path", "missing");
        } else if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= 0x20 || c == 0x7f || c == '#')) {
            problems.invalid(f + ".path", "\"" + path + "\" must start with / and hold no space, control character or #");
        }
        Duration interval = duration(h.getInterval() == null ? HealthCheck.DEFAULT_INTERVAL : h.getInterval(), f + ".interval", problems);
        Duration timeout = duration(h.getTimeout() == null ? HealthCheck.DEFAULT_TIMEOUT : h.getTimeout(), f + ".timeout", problems);
        if (interval != null && interval.isZero()) problems.invalid(f + ".interval", "must be more than 0");
        if (interval != null && timeout != null && (timeout.isZero() || timeout.compareTo(interval) >= 0)) {
            problems.invalid(f + ".timeout", (h.getTimeout() == null ? HealthCheck.DEFAULT_TIMEOUT : h.getTimeout())
                    + " must be more than 0 and less than interval " + (h.getInterval() == null ? HealthCheck.DEFAULT_INTERVAL : h.getInterval()));
        }
        int unhealthy = threshold(h.getUnhealthyThreshold(), HealthCheck.DEFAULT_UNHEALTHY_THRESHOLD, f + ".unhealthyThreshold", problems);
        int healthy = threshold(h.getHealthyThreshold(), HealthCheck.DEFAULT_HEALTHY_THRESHOLD, f + ".healthyThreshold", problems);
        if (problems.leftOut() > before) return null;
        return new dev.pier.model.HealthCheck(path, interval, timeout, unhealthy, healthy);
    }

    private static int threshold(Integer written, int byDefault, String f, ObjectProblems problems) {
        if (written == null) return byDefault;
        if (written < 1 || written > 100) problems.invalid(f, written + " is not in 1-100");
        return written;
    }

    /** Whether the rule forwards the raw path ({@code pathPolicy: ForwardRaw}). */
    static boolean forwardRawPath(PathPolicy policy) {
        return policy == PathPolicy.FORWARD_RAW;
    }

    private static Duration duration(String text, String f, ObjectProblems problems) {
        if (text == null) return null;
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            problems.invalid(f, e.getMessage());
            return null;
        }
    }
}
