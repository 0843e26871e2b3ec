package dev.pier.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoutePrecedenceTest {
    private static final ObjectRef A = new ObjectRef("Ingress", "web", "a");
    private static final ObjectRef B = new ObjectRef("Ingress", "web", "b");
    private static final ObjectRef OTHER_NS = new ObjectRef("Ingress", "aaa", "z");

    private static RoutePrecedence.Key key(PathMatch path, boolean method, int headers, int queries,
                                           String created, ObjectRef source, int rule, int match) {
        return new RoutePrecedence.Key(path, method, headers, queries, created, source, rule, match);
    }

    private static RoutePrecedence.Key path(PathMatch path) {
        return key(path, false, 0, 0, "", A, 0, 0);
    }

    /** Shuffles with several fixed seeds and sorts: the order must not depend on the input order. */
    private static List<RoutePrecedence.Key> sorted(List<RoutePrecedence.Key> keys) {
        List<RoutePrecedence.Key> first = null;
        for (int seed = 0; seed < 5; seed++) {
            List<RoutePrecedence.Key> copy = new ArrayList<>(keys);
            Collections.shuffle(copy, new Random(seed));
            copy.sort(RoutePrecedence.INSTANCE);
            if (first == null) first = copy;
            assertThat(copy).isEqualTo(first);
        }
        return first;
    }

    @Test
    void exactThenLongerRegexThenLongestPrefix() {
        var exact = path(PathMatch.exact("/a"));
        var shortRegex = path(PathMatch.regex("/a.*"));
        var longRegex = path(PathMatch.regex("/api/v[0-9]+"));
        var root = path(PathMatch.prefix("/"));
        var api = path(PathMatch.prefix("/api"));
        var apiV1 = path(PathMatch.prefix("/api/v1"));
        assertThat(sorted(List.of(root, api, shortRegex, apiV1, exact, longRegex)))
                .containsExactly(exact, longRegex, shortRegex, apiV1, api, root);
    }

    @Test
    void thenMethodThenMoreHeadersThenMoreQueryParams() {
        PathMatch p = PathMatch.prefix("/api");
        var plain = key(p, false, 0, 0, "", A, 0, 0);
        var method = key(p, true, 0, 0, "", A, 0, 1);
        var twoHeaders = key(p, false, 2, 0, "", A, 0, 2);
        var oneHeader = key(p, false, 1, 5, "", A, 0, 3);
        var query = key(p, false, 0, 1, "", A, 0, 4);
        assertThat(sorted(List.of(plain, query, oneHeader, twoHeaders, method)))
                .containsExactly(method, twoHeaders, oneHeader, query, plain);
    }

    @Test
    void thenOlderObjectThenNamespaceAndNameThenRuleAndMatchIndex() {
        PathMatch p = PathMatch.prefix("/x");
        var young = key(p, false, 0, 0, "2024-02-01T00:00:00Z", OTHER_NS, 0, 0);
        var oldB = key(p, false, 0, 0, "2024-01-01T00:00:00Z", B, 0, 0);
        var oldARule1 = key(p, false, 0, 0, "2024-01-01T00:00:00Z", A, 1, 0);
        var oldARule0Match1 = key(p, false, 0, 0, "2024-01-01T00:00:00Z", A, 0, 1);
        var oldARule0Match0 = key(p, false, 0, 0, "2024-01-01T00:00:00Z", A, 0, 0);
        assertThat(sorted(List.of(young, oldB, oldARule1, oldARule0Match1, oldARule0Match0)))
                .containsExactly(oldARule0Match0, oldARule0Match1, oldARule1, oldB, young);
    }

    @Test
    void pathKindOutranksEveryLaterKey() {
        // A plain Exact route beats a Prefix one that has a method and headers and is older.
        var exact = key(PathMatch.exact("/x"), false, 0, 0, "2025-01-01T00:00:00Z", B, 3, 3);
        var richPrefix = key(PathMatch.prefix("/x/long/prefix"), true, 3, 3, "2020-01-01T00:00:00Z", A, 0, 0);
        assertThat(RoutePrecedence.INSTANCE.compare(exact, richPrefix)).isNegative();
        assertThat(RoutePrecedence.INSTANCE.compare(richPrefix, exact)).isPositive();
    }

    @Test
    void olderFirstComparesAgeThenNamespaceThenName() {
        assertThat(RoutePrecedence.olderFirst("2024-01-01T00:00:00Z", B, "2024-02-01T00:00:00Z", A)).isNegative();
        assertThat(RoutePrecedence.olderFirst("2024-01-01T00:00:00Z", A, "2024-01-01T00:00:00Z", B)).isNegative();
        assertThat(RoutePrecedence.olderFirst("", B, "", OTHER_NS)).isPositive();
        assertThat(RoutePrecedence.olderFirst("", A, "", A)).isZero();
    }
}
