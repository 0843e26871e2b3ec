package dev.pier.translate;

import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import java.util.Comparator;

/**
 * The order of routes inside one virtual host (first match wins), shared by Ingress and
 * GatewayRoute rules so that both merge into the same hosts the same way:
 * Exact path, then regular expression (longer pattern first), then longest prefix; then a match
 * with a method, then more header matches, then more query matches; then the older object
 * ({@code metadata.creationTimestamp}), then namespace/name, then rule index and match index.
 * The last keys make the order total, so the output is deterministic.
 */
public final class RoutePrecedence implements Comparator<RoutePrecedence.Key> {

    public static final RoutePrecedence INSTANCE = new RoutePrecedence();

    /**
     * What precedence looks at for one route.
     *
     * @param createdAt  {@code metadata.creationTimestamp} as RFC 3339 text ("" if unknown, which sorts first)
     * @param ruleIndex  the rule's index in its object
     * @param matchIndex the path's (Ingress) or match's (GatewayRoute) index in its rule
     */
    public record Key(PathMatch path, boolean hasMethod, int headerMatches, int queryMatches,
                      String createdAt, ObjectRef source, int ruleIndex, int matchIndex) {

        public static Key of(Route route, String createdAt, int ruleIndex, int matchIndex) {
            RouteMatch m = route.match();
            return new Key(m.path(), m.method() != null, m.headers().size(), m.queryParams().size(),
                    createdAt == null ? "" : createdAt, route.source(), ruleIndex, matchIndex);
        }
    }

    private static final Comparator<Key> ORDER = Comparator
            .comparingInt((Key k) -> typeRank(k.path()))
            .thenComparing(Comparator.comparingInt((Key k) -> valueLength(k.path())).reversed())
            .thenComparing(Key::hasMethod, Comparator.reverseOrder())
            .thenComparing(Comparator.comparingInt(Key::headerMatches).reversed())
            .thenComparing(Comparator.comparingInt(Key::queryMatches).reversed())
            .thenComparing(Key::createdAt)
            .thenComparing((Key k) -> k.source().namespace())
            .thenComparing((Key k) -> k.source().name())
            .thenComparingInt(Key::ruleIndex)
            .thenComparingInt(Key::matchIndex)
            .thenComparing((Key k) -> k.source().kind())
            .thenComparing((Key k) -> k.path().value());

    private RoutePrecedence() {
    }

    @Override
    public int compare(Key a, Key b) {
        return ORDER.compare(a, b);
    }

    private static int typeRank(PathMatch path) {
        return switch (path.type()) {
            case EXACT -> 0;
            case REGEX -> 1;
            case PREFIX -> 2;
        };
    }

    /** Exact paths never overlap each other, so only regexes and prefixes rank by length. */
    private static int valueLength(PathMatch path) {
        return path.type() == PathMatch.Type.EXACT ? 0 : path.value().length();
    }

    /**
     * Which of two objects claiming the same thing wins: the older, then by namespace/name.
     * Returns a negative number when {@code a} wins.
     */
    public static int olderFirst(String createdAtA, ObjectRef a, String createdAtB, ObjectRef b) {
        int byAge = nz(createdAtA).compareTo(nz(createdAtB));
        if (byAge != 0) return byAge;
        return Comparator.comparing(ObjectRef::namespace).thenComparing(ObjectRef::name)
                .thenComparing(ObjectRef::kind).compare(a, b);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
