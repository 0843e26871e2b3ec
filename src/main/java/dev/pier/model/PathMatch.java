package dev.pier.model;

import java.util.Objects;

/**
 * How a request path is matched. {@code PREFIX} matches whole path elements: {@code /aaa} matches
 * {@code /aaa} and {@code /aaa/b}, never {@code /aaaccc}; its value carries no trailing slash
 * (except the root {@code /}), which {@link #prefix(String)} removes. {@code REGEX} is a full match
 * of the path, with the expression compiled in {@code regex}; it is null for the other types.
 */
public record PathMatch(Type type, String value, Regex regex) {
    public enum Type { EXACT, PREFIX, REGEX }

    public PathMatch {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if (type == Type.REGEX) {
            if (regex == null || !regex.value().equals(value))
                throw new IllegalArgumentException("a REGEX path match carries its compiled expression: " + value);
        } else {
            if (regex != null) throw new IllegalArgumentException(type + " path match with a regex");
            if (!value.startsWith("/")) throw new IllegalArgumentException(type + " path \"" + value + "\" does not start with /");
            if (type == Type.PREFIX && !normalizePrefix(value).equals(value))
                throw new IllegalArgumentException("prefix \"" + value + "\" is not normalised (use PathMatch.prefix)");
        }
    }

    public static PathMatch exact(String value) {
        return new PathMatch(Type.EXACT, value, null);
    }

    /** A prefix, normalised: matching is per path element, so {@code /foo/} is {@code /foo}. */
    public static PathMatch prefix(String value) {
        return new PathMatch(Type.PREFIX, normalizePrefix(value), null);
    }

    /** @throws Regex.InvalidRegexException when {@code value} is not an RE2 expression Pier accepts */
    public static PathMatch regex(String value) {
        return regex(Regex.of(value));
    }

    public static PathMatch regex(Regex regex) {
        return new PathMatch(Type.REGEX, regex.value(), regex);
    }

    private static String normalizePrefix(String path) {
        int end = path.length();
        while (end > 1 && path.charAt(end - 1) == '/') end--;
        return path.substring(0, end);
    }
}
