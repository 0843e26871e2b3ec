package dev.pier.proxy;

import dev.pier.model.PathMatch;
import dev.pier.model.VirtualHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One virtual host compiled for serving: its routes indexed by path type so a request never scans every route:
 * exact paths in a hash map, prefixes in a hash map probed at each segment boundary of the request
 * path (only at lengths some prefix has), regexes precompiled. Each index keeps table order, and the
 * lowest order whose other conditions hold wins, so precedence is the table's.
 */
final class CompiledHost {
    private static final CompiledRoute[] NONE = new CompiledRoute[0];
    private static final boolean[] NO_PREFIX_LENGTHS = new boolean[1];

    private final Map<String, CompiledRoute[]> exact;
    private final Map<String, CompiledRoute[]> prefix;
    private final boolean[] prefixLengths;
    private final CompiledRoute[] rootPrefix;
    /** Its routes with a regex path, each compiled once ({@link CompiledRoute#pathRegex}; no array of them per host). */
    private final CompiledRoute[] regexRoutes;
    /**
     * The virtual host's name and every route in table order, for explain and carrying the host over (never
     * written to). An array, and the same one as {@code rootPrefix} when every route matches any path (most hosts
     * of one route): a list of its own was 24 B per host at 10,000 hosts.
     */
    final String name;
    final CompiledRoute[] routes;
    /**
     * Whether it was compiled from {@code host}'s routes, the same instances in the same order: the next
     * table then carries it over. Routes, not the VirtualHost, so that no table or memo has to keep the
     * model's hosts alive (translation makes a host of one route anew each time).
     */
    boolean compiledFrom(VirtualHost host) {
        List<dev.pier.model.Route> models = host.routes();
        if (models.size() != routes.length) return false;
        for (int i = 0; i < models.size(); i++) {
            if (routes[i].route != models.get(i)) return false;
        }
        return true;
    }

    CompiledHost(String name, List<CompiledRoute> routes) {
        this.name = name;
        this.routes = routes.toArray(NONE);
        Map<String, List<CompiledRoute>> exactLists = new HashMap<>();
        Map<String, List<CompiledRoute>> prefixLists = new HashMap<>();
        List<CompiledRoute> root = new ArrayList<>();
        List<CompiledRoute> regexList = new ArrayList<>();
        int maxPrefix = 0;
        for (CompiledRoute r : routes) { // already in order
            PathMatch path = r.route.match().path();
            if (path == null) {
                root.add(r);
                continue;
            }
            switch (path.type()) {
                case EXACT -> exactLists.computeIfAbsent(path.value(), k -> new ArrayList<>()).add(r);
                case PREFIX -> {
                    String p = r.matchedPrefix;
                    if (p.equals("/")) {
                        root.add(r);
                    } else {
                        prefixLists.computeIfAbsent(p, k -> new ArrayList<>()).add(r);
                        maxPrefix = Math.max(maxPrefix, p.length());
                    }
                }
                case REGEX -> regexList.add(r);
            }
        }
        this.exact = freeze(exactLists);
        this.prefix = freeze(prefixLists);
        this.prefixLengths = maxPrefix == 0 ? NO_PREFIX_LENGTHS : new boolean[maxPrefix + 1];
        for (String p : prefix.keySet()) prefixLengths[p.length()] = true;
        this.rootPrefix = root.size() == this.routes.length ? this.routes : root.toArray(NONE); // same order
        this.regexRoutes = regexList.toArray(NONE);
    }

    /**
     * @param trace null when serving; for explain, told every candidate, including those a
     *              better candidate makes it skip when serving (the result is the same)
     * @return the first route in table order that matches, or null
     */
    CompiledRoute select(MatchInput request, String path, MatchTrace trace) {
        CompiledRoute best = first(exact.get(path), request, null, trace, MatchTrace.Via.EXACT_PATH);
        // Prefix candidates end at a segment boundary: the whole path, or just before a '/'.
        for (int end = path.length(); end > 0; end = path.lastIndexOf('/', end - 1)) {
            if (end < prefixLengths.length && prefixLengths[end]) {
                best = first(prefix.get(path.substring(0, end)), request, best, trace, MatchTrace.Via.PREFIX);
            }
        }
        best = first(rootPrefix, request, best, trace, MatchTrace.Via.ANY_PATH);
        for (int i = 0; i < regexRoutes.length; i++) {
            CompiledRoute r = regexRoutes[i];
            boolean outranked = best != null && r.order >= best.order;
            if (outranked && trace == null) break;
            if (!r.pathRegex.matches(path)) {
                if (trace != null) trace.candidate(r, MatchTrace.Via.REGEX, CompiledRoute.PATH_DIFFERS);
                continue;
            }
            int failed = r.failedCondition(request);
            if (trace != null) trace.candidate(r, MatchTrace.Via.REGEX, failed);
            if (failed == CompiledRoute.MATCHES && !outranked) best = r;
        }
        return best;
    }

    /** The lowest-order candidate whose other conditions hold, if it beats {@code best}. */
    private static CompiledRoute first(CompiledRoute[] candidates, MatchInput request, CompiledRoute best,
                                       MatchTrace trace, MatchTrace.Via via) {
        if (candidates == null) return best;
        for (CompiledRoute r : candidates) {
            if (best != null && r.order >= best.order) {
                if (trace == null) return best;
                trace.candidate(r, via, r.failedCondition(request));
                continue;
            }
            int failed = r.failedCondition(request);
            if (trace != null) trace.candidate(r, via, failed);
            if (failed == CompiledRoute.MATCHES) {
                if (trace == null) return r;
                best = r;
            }
        }
        return best;
    }

    /**
     * An immutable map (the shared empty one for most hosts, which have no exact or no prefix paths): it keeps keys
     * and values in one array, no node per path; a host of one path kept a HashMap, its table and a node (~100 B).
     */
    private static Map<String, CompiledRoute[]> freeze(Map<String, List<CompiledRoute>> lists) {
        Map<String, CompiledRoute[]> out = new HashMap<>(lists.size() * 2);
        lists.forEach((k, v) -> out.put(k, v.toArray(NONE)));
        return Map.copyOf(out);
    }
}
