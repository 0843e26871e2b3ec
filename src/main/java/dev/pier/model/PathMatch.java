package dev.pier.model;

/**
 * How a request path is matched. {@code PREFIX} matches whole path elements: {@code /aaa} matches
 * {@code /aaa} and {@code /aaa/b}, never {@code /aaaccc}; its value carries no trailing slash
 * (except the root {@code /}). {@code REGEX} is a full match of the path (Java syntax).
 */
public record PathMatch(Type type, String value) {
    public enum Type { EXACT, PREFIX, REGEX }

    public static PathMatch prefix(String value) { return new PathMatch(Type.PREFIX, value); }
    public static PathMatch exact(String value) { return new PathMatch(Type.EXACT, value); }
    public static PathMatch regex(String value) { return new PathMatch(Type.REGEX, value); }
}
