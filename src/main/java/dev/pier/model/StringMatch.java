package dev.pier.model;

import java.util.Objects;

/**
 * A named value to match on a header or a query parameter; names of headers compare
 * case-insensitively. A {@code REGEX} match carries its compiled expression in {@code regex}
 * (a full match of the value); it is null for {@code EXACT}.
 */
public record StringMatch(String name, Type type, String value, Regex regex) {
    public enum Type { EXACT, REGEX }

    public StringMatch {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if ((type == Type.REGEX) != (regex != null) || (regex != null && !regex.value().equals(value)))
            throw new IllegalArgumentException("a REGEX match, and only one, carries its compiled expression: " + name);
    }

    /** @throws Regex.InvalidRegexException when a {@code REGEX} value is not an RE2 expression Pier accepts */
    public StringMatch(String name, Type type, String value) {
        this(name, type, value, type == Type.REGEX ? Regex.of(value) : null);
    }

    public static StringMatch exact(String name, String value) {
        return new StringMatch(name, Type.EXACT, value, null);
    }
}
