package dev.pier.translate;

import dev.pier.api.GRPCMethodMatch;
import dev.pier.api.HTTPPathMatch;
import dev.pier.api.HTTPRouteMatch;
import dev.pier.api.PathMatchType;
import dev.pier.api.StringMatchType;
import dev.pier.model.PathMatch;
import dev.pier.model.Regex;
import dev.pier.model.RouteMatch;
import dev.pier.model.StringMatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The matches of a GatewayRoute rule: path (Exact, PathPrefix, RegularExpression) or the gRPC
 * service and method it stands for, method, headers and query parameters. Regular expressions (RE2
 * syntax, see {@link Regex}) are compiled here, once, and the compiled form goes into the table.
 */
final class GatewayRouteMatches {
    private static final java.util.regex.Pattern GRPC_SERVICE = java.util.regex.Pattern.compile(
            "[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    private static final java.util.regex.Pattern GRPC_METHOD = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private GatewayRouteMatches() {
    }

    /** Whether every match of a rule is a PathPrefix (ReplacePrefixMatch needs it); no matches means {@code /}. */
    static boolean allPathPrefix(List<HTTPRouteMatch> matches) {
        if (matches == null) return true;
        for (HTTPRouteMatch m : matches) {
            if (m != null && m.getGrpc() != null && (m.getGrpc().getMethod() != null || m.getGrpc().getService() == null)) return false;
            PathMatchType type = m == null || m.getPath() == null ? null : m.getPath().getType();
            if (type != null && type != PathMatchType.PATH_PREFIX) return false;
        }
        return true;
    }

    /** No matches means one match of every path, as in Gateway API. */
    static List<RouteMatch> matches(List<HTTPRouteMatch> written, String f, ObjectProblems problems) {
        if (written == null || written.isEmpty()) return List.of(RouteMatch.path(PathMatch.prefix("/")));
        List<RouteMatch> out = new ArrayList<>();
        for (int j = 0; j < written.size(); j++) {
            HTTPRouteMatch m = written.get(j) == null ? new HTTPRouteMatch() : written.get(j);
            String mf = f + "[" + j + "]";
            Optional<PathMatch> path;
            if (m.getGrpc() != null) {
                if (m.getPath() != null) problems.invalid(mf + ".grpc", "a match takes path or grpc, not both");
                path = grpc(m.getGrpc(), mf + ".grpc", problems);
            } else {
                path = path(m.getPath(), mf + ".path", problems);
            }
            String method = m.getMethod() == null ? null : m.getMethod().wireName();
            List<StringMatch> headers = stringMatches(m.getHeaders() == null ? List.of() : m.getHeaders().stream()
                            .map(h -> h == null ? null : new Written(h.getName(), h.getType(), h.getValue())).toList(),
                    mf + ".headers", true, problems);
            List<StringMatch> query = stringMatches(m.getQueryParams() == null ? List.of() : m.getQueryParams().stream()
                            .map(q -> q == null ? null : new Written(q.getName(), q.getType(), q.getValue())).toList(),
                    mf + ".queryParams", false, problems);
            path.ifPresent(p -> out.add(new RouteMatch(p, method, headers, query)));
        }
        return out;
    }

    private static Optional<PathMatch> path(HTTPPathMatch p, String f, ObjectProblems problems) {
        PathMatchType type = p == null || p.getType() == null ? PathMatchType.PATH_PREFIX : p.getType();
        String value = p == null || p.getValue() == null ? "/" : p.getValue();
        if (type == PathMatchType.REGULAR_EXPRESSION) {
            return regex(value, f + ".value", problems).map(PathMatch::regex);
        }
        if (!value.startsWith("/")) {
            problems.invalid(f + ".value", "\"" + value + "\" does not start with \"/\" (required for " + type.wireName() + ")");
            return Optional.empty();
        }
        return Optional.of(type == PathMatchType.EXACT ? PathMatch.exact(value) : PathMatch.prefix(value));
    }

    /**
     * The path a gRPC call of {@code service}/{@code method} has: both give Exact
     * {@code /service/method}, a service alone PathPrefix {@code /service}, a method alone the
     * method of any service (a regular expression).
     */
    private static Optional<PathMatch> grpc(GRPCMethodMatch g, String f, ObjectProblems problems) {
        String service = g.getService();
        String method = g.getMethod();
        if (service == null && method == null) {
            problems.invalid(f, "names neither service nor method");
            return Optional.empty();
        }
        if (service != null && !GRPC_SERVICE.matcher(service).matches()) {
            problems.invalid(f + ".service", "\"" + service + "\" is not a gRPC service name (package.Service: letters, digits, _ and dots)");
            return Optional.empty();
        }
        if (method != null && !GRPC_METHOD.matcher(method).matches()) {
            problems.invalid(f + ".method", "\"" + method + "\" is not a gRPC method name (letters, digits and _)");
            return Optional.empty();
        }
        if (service == null) return Optional.of(PathMatch.regex(Regex.of("/[^/]+/" + method)));
        return Optional.of(method == null ? PathMatch.prefix("/" + service) : PathMatch.exact("/" + service + "/" + method));
    }

    /** A header or query match as written; both API classes have the same three fields. */
    private record Written(String name, StringMatchType type, String value) {
    }

    private static List<StringMatch> stringMatches(List<Written> written, String f, boolean header, ObjectProblems problems) {
        List<StringMatch> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < written.size(); k++) {
            Written w = written.get(k);
            String kf = f + "[" + k + "]";
            if (w == null || w.name() == null || w.name().isEmpty()) {
                problems.invalid(kf + ".name", "missing");
                continue;
            }
            if (w.value() == null) {
                problems.invalid(kf + ".value", "missing");
                continue;
            }
            // Header names compare case-insensitively (stored lower-case); query names exactly.
            String name = header ? w.name().toLowerCase(Locale.ROOT) : w.name();
            if (!seen.add(name)) {
                problems.invalid(kf + ".name", "\"" + w.name() + "\" occurs more than once in this match");
                continue;
            }
            if (w.type() == StringMatchType.REGULAR_EXPRESSION) {
                regex(w.value(), kf + ".value", problems)
                        .ifPresent(r -> out.add(new StringMatch(name, StringMatch.Type.REGEX, w.value(), r)));
            } else {
                out.add(StringMatch.exact(name, w.value()));
            }
        }
        return out;
    }

    private static Optional<Regex> regex(String value, String f, ObjectProblems problems) {
        try {
            return Optional.of(Regex.of(value));
        } catch (Regex.InvalidRegexException e) {
            problems.invalid(f, "invalid regular expression \"" + value + "\" (RE2 syntax): " + e.getMessage());
            return Optional.empty();
        }
    }
}
