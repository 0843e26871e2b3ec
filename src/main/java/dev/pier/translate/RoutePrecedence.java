package dev.pier.translate;

import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import java.util.Comparator;
import java.util.List;

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

    /** One step of the order, and how {@code pier explain} says it. */
    private record Step(String rule, Comparator<Key> order) {}

    /** The steps that look at the match itself; the rest (age, names, indexes) only break ties. */
    private static final List<Step> SPECIFICITY = List.of(
            new Step("an Exact path comes before a regular expression, which comes before a Prefix",
                    Comparator.comparingInt((Key k) -> typeRank(k.path()))),
            new Step("the longer path value comes first",
                    Comparator.comparingInt((Key k) -> valueLength(k.path())).reversed()),
            new Step("a match with a method comes before one without",
                    Comparator.comparing(Key::hasMethod, Comparator.reverseOrder())),
            new Step("more header matches come first",
                    Comparator.comparingInt(Key::headerMatches).reversed()),
            new Step("more query parameter matches come first",
                    Comparator.comparingInt(Key::queryMatches).reversed()));

    private static final Comparator<Key> ORDER = SPECIFICITY.stream().map(Step::order)
            .reduce(Comparator::thenComparing).orElseThrow()
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

    /**
     * Why {@code first} comes before {@code second} in their virtual host, in words: the first
     * step of the order that tells them apart. Routes carry no creation time, so routes equally
     * specific are explained by the tie-breakers as a group.
     */
    public static String whyFirst(Route first, Route second) {
        Key a = Key.of(first, "", 0, 0);
        Key b = Key.of(second, "", 0, 0);
        for (Step step : SPECIFICITY) {
            if (step.order().compare(a, b) != 0) return step.rule();
        }
        return "both are equally specific: the older object's rule comes first, then by namespace/name, then by rule and match index";
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
