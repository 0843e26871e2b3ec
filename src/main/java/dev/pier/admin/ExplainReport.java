package dev.pier.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pier.model.Endpoint;
import dev.pier.model.Filter;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import dev.pier.model.StringMatch;
import dev.pier.proxy.Explanation;
import dev.pier.translate.RoutePrecedence;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An {@link Explanation} for people ({@code pier explain}) and for tools ({@code /debug/explain},
 * JSON): the host step, every rule of the virtual host with its verdict and, for a rule that
 * matched but lost, the precedence step that put the winner first; the winner's filters; its
 * backends and their current endpoints.
 */
public final class ExplainReport {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private ExplainReport() {
    }

    public static String json(Explanation e) {
        try {
            return JSON.writeValueAsString(tree(e)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    public static ObjectNode tree(Explanation e) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode request = root.putObject("request");
        request.put("host", e.request().host());
        request.put("path", e.request().path());
        request.put("method", e.request().method());
        ObjectNode headers = request.putObject("headers");
        e.request().headers().forEach(headers::put);
        root.put("matchedPath", e.matchedPath());
        ObjectNode host = root.putObject("host");
        host.put("matched", e.hostKey());
        host.put("step", e.hostStep());
        host.put("virtualHost", e.virtualHost());
        host.put("why", hostWhy(e));
        ArrayNode rules = root.putArray("rules");
        for (Explanation.Rule r : e.rules()) {
            ObjectNode rule = rules.addObject();
            rule.put("order", r.order());
            rule.put("route", r.route().id());
            rule.put("object", r.route().source().toString());
            rule.put("match", describe(r.route().match()));
            rule.put("verdict", r.verdict());
            rule.put("why", ruleWhy(e, r));
        }
        if (e.winner() == null) {
            root.putNull("winner");
        } else {
            ObjectNode winner = root.putObject("winner");
            winner.put("route", e.winner().id());
            winner.put("object", e.winner().source().toString());
            winner.put("defaultRoute", e.byDefault());
            ArrayNode filters = winner.putArray("filters");
            filters(e.winner()).forEach(filters::add);
        }
        ArrayNode backends = root.putArray("backends");
        for (Explanation.Backend b : e.backends()) {
            ObjectNode backend = backends.addObject();
            backend.put("service", b.service().namespace() + "/" + b.service().name() + ":" + b.service().port());
            backend.put("weight", b.weight());
            backend.put("balancer", b.balancer());
            ArrayNode endpoints = backend.putArray("endpoints");
            for (Endpoint ep : b.endpoints()) endpoints.add(ep.host() + ":" + ep.port());
        }
        root.put("note", e.note());
        return root;
    }

    /** The same, as lines a person reads top to bottom. */
    public static String text(Explanation e) {
        StringBuilder out = new StringBuilder();
        out.append(e.request().method()).append(' ').append(e.request().host() == null ? "(no host)" : e.request().host())
                .append(' ').append(e.request().path());
        e.request().headers().forEach((k, v) -> out.append(" ").append(k).append('=').append(v));
        if (e.matchedPath() != null && !e.matchedPath().equals(e.request().pathWithoutQuery())) {
            out.append("\n(matched as ").append(e.matchedPath()).append(" after the path policy)");
        }
        out.append("\n\n1. host: ").append(hostWhy(e)).append('\n');
        if (!e.rules().isEmpty()) {
            out.append("2. rules of ").append(e.virtualHost()).append(", in precedence order:\n");
            for (Explanation.Rule r : e.rules()) {
                out.append(r.verdict().equals("wins") ? "   * " : "     ").append('[').append(r.order()).append("] ")
                        .append(r.route().id()).append(" (").append(describe(r.route().match())).append(')');
                if (r.verdict().equals("path-differs")) {
                    out.append(": path does not match\n");
                } else {
                    out.append("\n         ").append(r.verdict()).append(": ").append(ruleWhy(e, r)).append('\n');
                }
            }
        }
        out.append(e.rules().isEmpty() ? "2. " : "3. ");
        if (e.winner() == null) {
            out.append("no rule wins");
        } else {
            out.append(e.byDefault() ? "default route: " : "winner: ").append(e.winner().id())
                    .append(" from ").append(e.winner().source());
            List<String> filters = filters(e.winner());
            out.append("\n   filters: ").append(filters.isEmpty() ? "none" : String.join("; ", filters));
        }
        out.append('\n');
        for (Explanation.Backend b : e.backends()) {
            out.append("   backend: ").append(b.service().namespace()).append('/').append(b.service().name()).append(':')
                    .append(b.service().port()).append(" weight ").append(b.weight()).append(", ").append(b.balancer())
                    .append(", endpoints: ").append(b.endpoints().isEmpty() ? "none (requests get 503)"
                            : b.endpoints().stream().map(ep -> ep.host() + ":" + ep.port()).collect(Collectors.joining(" ")))
                    .append('\n');
        }
        if (e.note() != null) out.append("   ").append(e.note()).append('\n');
        return out.toString();
    }

    private static String hostWhy(Explanation e) {
        String host = e.hostKey() == null || e.hostKey().isEmpty() ? "(none)" : e.hostKey();
        return switch (e.hostStep()) {
            case "exact" -> "\"" + host + "\" is a virtual host of its own";
            case "wildcard" -> "\"" + host + "\" has no virtual host of its own; " + e.virtualHost()
                    + " covers it (one label below " + e.virtualHost().substring(2) + ")";
            case "any" -> "\"" + host + "\" has no virtual host of its own and no wildcard covers it; the catch-all * takes it";
            default -> "\"" + host + "\" has no virtual host, no wildcard covers it and there is no catch-all *"
                    + (e.byDefault() ? "; the default route takes it" : "");
        };
    }

    private static String ruleWhy(Explanation e, Explanation.Rule r) {
        return switch (r.verdict()) {
            case "wins" -> "every condition holds and no rule before it matches";
            case "outranked" -> "every condition holds, but " + e.winner().id() + " comes first: "
                    + RoutePrecedence.whyFirst(e.winner(), r.route());
            case "condition-failed" -> "the path matches, but the " + r.failed() + " does not hold"
                    + (r.failed().startsWith("method") ? " (request: " + e.request().method() + ")" : "");
            default -> "the path does not match";
        };
    }

    static String describe(RouteMatch m) {
        List<String> parts = new ArrayList<>();
        parts.add(switch (m.path().type()) {
            case EXACT -> "path = " + m.path().value();
            case PREFIX -> "path prefix " + m.path().value();
            case REGEX -> "path matching regex " + m.path().value();
        });
        if (m.method() != null) parts.add("method " + m.method());
        for (StringMatch h : m.headers()) parts.add("header " + condition(h));
        for (StringMatch q : m.queryParams()) parts.add("query " + condition(q));
        return String.join(", ", parts);
    }

    private static String condition(StringMatch s) {
        return s.name() + (s.type() == StringMatch.Type.REGEX ? " matching regex " + s.value() : " = " + s.value());
    }

    static List<String> filters(Route route) {
        List<String> out = new ArrayList<>();
        for (Filter f : route.filters()) {
            String d;
            if (f instanceof Filter.RequestHeaderModifier r) d = "RequestHeaderModifier " + modifier(r.modifier());
            else if (f instanceof Filter.ResponseHeaderModifier r) d = "ResponseHeaderModifier " + modifier(r.modifier());
            else if (f instanceof Filter.UrlRewrite u) d = "URLRewrite" + (u.hostname() == null ? "" : " hostname " + u.hostname())
                    + (u.path() == null ? "" : " " + u.path().type() + " " + u.path().value());
            else if (f instanceof Filter.RequestRedirect r) d = "RequestRedirect " + (r.statusCode() == 0 ? 302 : r.statusCode())
                    + (r.scheme() == null ? "" : " scheme " + r.scheme()) + (r.hostname() == null ? "" : " hostname " + r.hostname())
                    + (r.port() == null ? "" : " port " + r.port())
                    + (r.path() == null ? "" : " " + r.path().type() + " " + r.path().value());
            else if (f instanceof Filter.DirectResponse r) d = "DirectResponse " + r.status();
            else d = f.toString();
            out.add(d);
        }
        return out;
    }

    private static String modifier(Filter.HeaderModifier m) {
        List<String> parts = new ArrayList<>();
        m.set().forEach(h -> parts.add("set " + h.name() + ": " + h.value()));
        m.add().forEach(h -> parts.add("add " + h.name() + ": " + h.value()));
        m.remove().forEach(n -> parts.add("remove " + n));
        return String.join(", ", parts);
    }
}
