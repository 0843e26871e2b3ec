package dev.pier.model;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression (Java syntax), compiled once where translation checks it and carried to the
 * data plane as is. Two are equal when their text is: {@link Pattern} has no {@code equals}, and
 * an unchanged table must compare equal so that it is not swapped.
 */
public final class Regex {
    private final Pattern pattern;

    private Regex(Pattern pattern) {
        this.pattern = pattern;
    }

    /** @throws PatternSyntaxException when {@code value} is not a regular expression */
    public static Regex of(String value) {
        return new Regex(Pattern.compile(value));
    }

    /** The text as written. */
    public String value() {
        return pattern.pattern();
    }

    public Pattern pattern() {
        return pattern;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Regex r && r.value().equals(value());
    }

    @Override
    public int hashCode() {
        return value().hashCode();
    }

    @Override
    public String toString() {
        return value();
    }
}
