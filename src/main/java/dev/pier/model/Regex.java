package dev.pier.model;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A regular expression in RE2 syntax, compiled once where translation checks it and carried to the
 * data plane as is. RE2 (here Google's RE2J) matches in time linear in the input whatever the
 * pattern, so a route's pattern cannot make a crafted request stall an event loop; it has no
 * backreferences, lookaround or possessive quantifiers, which need backtracking. Two are equal when
 * their text is, so that an unchanged table compares equal and is not swapped.
 */
public final class Regex {
    /**
     * The most instructions a compiled pattern may have: matching costs up to the input's length
     * times this, and counted repetitions expand ({@code (a{1000}){1000}} is a million).
     */
    public static final int MAX_PROGRAM_SIZE = 1000;

    private final Pattern pattern;

    private Regex(Pattern pattern) {
        this.pattern = pattern;
    }

    /** @throws InvalidRegexException when {@code value} is not an RE2 expression or is too large */
    public static Regex of(String value) {
        Pattern pattern;
        try {
            pattern = Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            // RE2J's message: "error parsing regexp: <what>: `<where>`"
            String message = e.getMessage();
            String prefix = "error parsing regexp: ";
            throw new InvalidRegexException(message.startsWith(prefix) ? message.substring(prefix.length()) : message);
        }
        if (pattern.programSize() > MAX_PROGRAM_SIZE) {
            throw new InvalidRegexException("compiles to " + pattern.programSize() + " instructions, more than "
                    + MAX_PROGRAM_SIZE + " (counted repetitions such as {n} multiply it)");
        }
        return new Regex(pattern);
    }

    /** Whether the whole of {@code input} matches. */
    public boolean matches(CharSequence input) {
        return pattern.matcher(input).matches();
    }

    /** The text as written. */
    public String value() {
        return pattern.pattern();
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

    /** Why a text is not a regular expression Pier can match with; the message says what and where. */
    public static final class InvalidRegexException extends IllegalArgumentException {
        InvalidRegexException(String message) {
            super(message);
        }
    }
}
