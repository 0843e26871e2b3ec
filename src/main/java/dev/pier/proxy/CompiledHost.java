package dev.pier.proxy;

import dev.pier.model.PathMatch;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One virtual host compiled for serving: its routes indexed by path type so a request never scans every route:
 * exact paths in a hash map, prefixes in a hash map probed at each segment boundary of the request
 * path (only at lengths some prefix has), regexes precompiled. Each index keeps table order, and the
 * lowest order whose other conditions hold wins, so precedence is the table's.
 */
final class CompiledHost {
    private static final CompiledRoute[] NONE = new CompiledRoute[0];

    private final Map<String, CompiledRoute[]> exact;
    private final Map<String, CompiledRoute[]> prefix;
    private final boolean[] prefixLengths;
    private final CompiledRoute[] rootPrefix;
    private final CompiledRoute[] regexRoutes;
    private final Pattern[] regexes;

    CompiledHost(List<CompiledRoute> routes) {
        Map<String, List<CompiledRoute>> exactLists = new HashMap<>();
        Map<String, List<CompiledRoute>> prefixLists = new HashMap<>();
        List<CompiledRoute> root = new ArrayList<>();
        List<CompiledRoute> regexList = new ArrayList<>();
        List<Pattern> patterns = new ArrayList<>();
        int maxPrefix = 0;
        for (CompiledRoute r : routes) { // already in order
            PathMatch path = r.match.path();
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
                case REGEX -> {
                    patterns.add(r.pathRegex);
                    regexList.add(r);
                }
            }
        }
        this.exact = freeze(exactLists);
        this.prefix = freeze(prefixLists);
        this.prefixLengths = new boolean[maxPrefix + 1];
        for (String p : prefix.keySet()) prefixLengths[p.length()] = true;
        this.rootPrefix = root.toArray(NONE);
        this.regexRoutes = regexList.toArray(NONE);
        this.regexes = patterns.toArray(new Pattern[0]);
    }

    /** @return the first route in table order that matches, or null */
    CompiledRoute select(HttpServerRequest request, String path) {
        CompiledRoute best = first(exact.get(path), request, null);
        // Prefix candidates end at a segment boundary: the whole path, or just before a '/'.
        for (int end = path.length(); end > 0; end = path.lastIndexOf('/', end - 1)) {
            if (end < prefixLengths.length && prefixLengths[end]) {
                best = first(prefix.get(path.substring(0, end)), request, best);
            }
        }
        best = first(rootPrefix, request, best);
        for (int i = 0; i < regexRoutes.length; i++) {
            CompiledRoute r = regexRoutes[i];
            if (best != null && r.order >= best.order) break;
            if (regexes[i].matcher(path).matches() && r.matchesRest(request)) best = r;
        }
        return best;
    }

    private static CompiledRoute first(CompiledRoute[] candidates, HttpServerRequest request, CompiledRoute best) {
        if (candidates == null) return best;
        for (CompiledRoute r : candidates) {
            if (best != null && r.order >= best.order) return best;
            if (r.matchesRest(request)) return r;
        }
        return best;
    }

    private static Map<String, CompiledRoute[]> freeze(Map<String, List<CompiledRoute>> lists) {
        Map<String, CompiledRoute[]> out = new HashMap<>(lists.size() * 2);
        lists.forEach((k, v) -> out.put(k, v.toArray(NONE)));
        return out;
    }
}
