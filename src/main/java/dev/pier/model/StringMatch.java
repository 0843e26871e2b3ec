package dev.pier.model;

/** A named value to match on a header or a query parameter; names of headers compare case-insensitively. */
public record StringMatch(String name, Type type, String value) {
    public enum Type { EXACT, REGEX }

    public static StringMatch exact(String name, String value) { return new StringMatch(name, Type.EXACT, value); }
}
