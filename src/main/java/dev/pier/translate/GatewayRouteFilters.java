package dev.pier.translate;

import dev.pier.api.DirectResponseFilter;
import dev.pier.api.FilterType;
import dev.pier.api.HTTPHeader;
import dev.pier.api.HTTPHeaderFilter;
import dev.pier.api.HTTPPathModifier;
import dev.pier.api.HTTPRequestRedirectFilter;
import dev.pier.api.HTTPRouteFilter;
import dev.pier.api.HTTPURLRewriteFilter;
import dev.pier.model.Filter;
import dev.pier.model.Header;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The filters of a GatewayRoute rule, in the order written (the onion): header modifiers,
 * URL rewrite, request redirect, direct response. Each type at most once per rule; a redirect or
 * direct response answers, so it excludes a rewrite and the other answer.
 */
final class GatewayRouteFilters {
    private GatewayRouteFilters() {
    }

    /** @param prefixOnly whether every match of the rule is a PathPrefix (ReplacePrefixMatch needs it) */
    static List<Filter> filters(List<HTTPRouteFilter> written, String f, boolean prefixOnly, ObjectProblems problems) {
        if (written == null) return List.of();
        List<Filter> out = new ArrayList<>();
        Set<FilterType> seen = EnumSet.noneOf(FilterType.class);
        boolean rewrites = false;
        boolean answers = false;
        for (int k = 0; k < written.size(); k++) {
            HTTPRouteFilter w = written.get(k);
            String kf = f + "[" + k + "]";
            if (w == null || w.getType() == null) {
                problems.invalid(kf + ".type", "missing");
                continue;
            }
            if (!seen.add(w.getType())) {
                problems.invalid(kf + ".type", w.getType().wireName() + " occurs more than once in this rule");
                continue;
            }
            String field = kf + "." + (w.getType() == FilterType.URL_REWRITE ? "urlRewrite"
                    : Character.toLowerCase(w.getType().wireName().charAt(0)) + w.getType().wireName().substring(1));
            Object settings = switch (w.getType()) {
                case REQUEST_HEADER_MODIFIER -> w.getRequestHeaderModifier();
                case RESPONSE_HEADER_MODIFIER -> w.getResponseHeaderModifier();
                case URL_REWRITE -> w.getUrlRewrite();
                case REQUEST_REDIRECT -> w.getRequestRedirect();
                case DIRECT_RESPONSE -> w.getDirectResponse();
            };
            if (settings == null) {
                problems.invalid(field, "required for type " + w.getType().wireName());
                continue;
            }
            int given = (w.getRequestHeaderModifier() != null ? 1 : 0) + (w.getResponseHeaderModifier() != null ? 1 : 0)
                    + (w.getUrlRewrite() != null ? 1 : 0) + (w.getRequestRedirect() != null ? 1 : 0)
                    + (w.getDirectResponse() != null ? 1 : 0);
            if (given > 1) {
                problems.invalid(kf, "sets the settings of more than its type " + w.getType().wireName());
                continue;
            }
            rewrites |= w.getType() == FilterType.URL_REWRITE;
            answers |= w.getType() == FilterType.REQUEST_REDIRECT || w.getType() == FilterType.DIRECT_RESPONSE;
            switch (w.getType()) {
                case REQUEST_HEADER_MODIFIER -> headerModifier((HTTPHeaderFilter) settings, field, problems)
                        .ifPresent(m -> out.add(new Filter.RequestHeaderModifier(m)));
                case RESPONSE_HEADER_MODIFIER -> headerModifier((HTTPHeaderFilter) settings, field, problems)
                        .ifPresent(m -> out.add(new Filter.ResponseHeaderModifier(m)));
                case URL_REWRITE -> urlRewrite((HTTPURLRewriteFilter) settings, field, prefixOnly, problems).ifPresent(out::add);
                case REQUEST_REDIRECT -> redirect((HTTPRequestRedirectFilter) settings, field, prefixOnly, problems).ifPresent(out::add);
                case DIRECT_RESPONSE -> directResponse((DirectResponseFilter) settings, field, problems).ifPresent(out::add);
            }
        }
        if (seen.contains(FilterType.REQUEST_REDIRECT) && seen.contains(FilterType.DIRECT_RESPONSE)) {
            problems.invalid(f, "RequestRedirect and DirectResponse both answer the request; a rule takes one of them");
        }
        if (rewrites && answers) {
            problems.invalid(f, "URLRewrite is not allowed beside RequestRedirect or DirectResponse (nothing is forwarded to rewrite)");
        }
        return out;
    }

    private static Optional<Filter> urlRewrite(HTTPURLRewriteFilter u, String f, boolean prefixOnly, ObjectProblems problems) {
        if (u.getPath() == null) return Optional.of(new Filter.UrlRewrite(u.getHostname(), null));
        return pathRewrite(u.getPath(), f + ".path", prefixOnly, problems).map(p -> new Filter.UrlRewrite(u.getHostname(), p));
    }

    private static Optional<Filter> redirect(HTTPRequestRedirectFilter r, String f, boolean prefixOnly, ObjectProblems problems) {
        int before = problems.leftOut();
        int code = r.getStatusCode() == null ? HTTPRequestRedirectFilter.DEFAULT_STATUS_CODE : r.getStatusCode();
        if (!Filter.RequestRedirect.STATUS_CODES.contains(code)) {
            problems.invalid(f + ".statusCode", code + " is not one of 301, 302, 303, 307, 308");
        }
        if (r.getPort() != null && (r.getPort() < 1 || r.getPort() > 65535)) {
            problems.invalid(f + ".port", r.getPort() + " is not a port (1-65535)");
        }
        Optional<Filter.PathRewrite> path = r.getPath() == null ? Optional.empty()
                : pathRewrite(r.getPath(), f + ".path", prefixOnly, problems);
        if (problems.leftOut() > before) return Optional.empty();
        return Optional.of(new Filter.RequestRedirect(r.getScheme() == null ? null : r.getScheme().wireName(),
                r.getHostname(), r.getPort(), path.orElse(null), code));
    }

    private static Optional<Filter> directResponse(DirectResponseFilter d, String f, ObjectProblems problems) {
        if (d.getStatus() == null || d.getStatus() < 200 || d.getStatus() > 599) {
            problems.invalid(f + ".status", d.getStatus() == null ? "missing" : d.getStatus() + " is not a status (200-599)");
            return Optional.empty();
        }
        return Optional.of(new Filter.DirectResponse(d.getStatus(), d.getBody() == null ? "" : d.getBody()));
    }

    private static Optional<Filter.HeaderModifier> headerModifier(HTTPHeaderFilter h, String f, ObjectProblems problems) {
        int before = problems.leftOut();
        List<Header> set = headers(h.getSet(), f + ".set", problems);
        List<Header> add = headers(h.getAdd(), f + ".add", problems);
        List<String> remove = new ArrayList<>();
        List<String> writtenRemove = h.getRemove() == null ? List.of() : h.getRemove();
        for (int k = 0; k < writtenRemove.size(); k++) {
            String name = writtenRemove.get(k);
            if (name == null || name.isEmpty()) problems.invalid(f + ".remove[" + k + "]", "empty");
            else remove.add(name);
        }
        return problems.leftOut() == before ? Optional.of(new Filter.HeaderModifier(set, add, remove)) : Optional.empty();
    }

    private static List<Header> headers(List<HTTPHeader> written, String f, ObjectProblems problems) {
        List<Header> out = new ArrayList<>();
        for (int k = 0; written != null && k < written.size(); k++) {
            HTTPHeader h = written.get(k);
            if (h == null || h.getName() == null || h.getName().isEmpty()) problems.invalid(f + "[" + k + "].name", "missing");
            else if (h.getValue() == null) problems.invalid(f + "[" + k + "].value", "missing");
            else out.add(new Header(h.getName(), h.getValue()));
        }
        return out;
    }

    private static Optional<Filter.PathRewrite> pathRewrite(HTTPPathModifier m, String f, boolean prefixOnly, ObjectProblems problems) {
        if (m.getType() == null) {
            problems.invalid(f + ".type", "missing");
            return Optional.empty();
        }
        switch (m.getType()) {
            case REPLACE_FULL_PATH -> {
                if (m.getReplaceFullPath() == null) {
                    problems.invalid(f + ".replaceFullPath", "required for type ReplaceFullPath");
                } else if (m.getReplacePrefixMatch() != null) {
                    problems.invalid(f + ".replacePrefixMatch", "not allowed for type ReplaceFullPath");
                } else {
                    return Optional.of(new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_FULL_PATH, m.getReplaceFullPath()));
                }
                return Optional.empty();
            }
            case REPLACE_PREFIX_MATCH -> {
                if (m.getReplacePrefixMatch() == null) {
                    problems.invalid(f + ".replacePrefixMatch", "required for type ReplacePrefixMatch");
                } else if (m.getReplaceFullPath() != null) {
                    problems.invalid(f + ".replaceFullPath", "not allowed for type ReplacePrefixMatch");
                } else if (!prefixOnly) {
                    // As in Gateway API: with an Exact or regex match there is no prefix to replace.
                    problems.invalid(f + ".type", "ReplacePrefixMatch needs every match of the rule to be a PathPrefix path");
                } else {
                    return Optional.of(new Filter.PathRewrite(Filter.PathRewrite.Type.REPLACE_PREFIX_MATCH, m.getReplacePrefixMatch()));
                }
                return Optional.empty();
            }
        }
        throw new IllegalStateException("path modifier type " + m.getType());
    }
}
