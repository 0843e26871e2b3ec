package dev.pier.translate;

import dev.pier.model.ObjectRef;
import dev.pier.model.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * The problems of one object, collected while it is translated (Contour's
 * {@code ConditionFor(...).AddErrorf}): each call names the field and says what is wrong, and the
 * condition type and reason come with the kind of call, so they are never guessed from text.
 */
final class ObjectProblems {
    private final ObjectRef object;
    private final List<Problem> problems = new ArrayList<>();

    ObjectProblems(ObjectRef object) {
        this.object = object;
    }

    ObjectRef object() {
        return object;
    }

    /** The field cannot be served as written; what it belongs to is left out. */
    void invalid(String field, String message) {
        problems.add(new Problem(object, field, Problem.ACCEPTED, Problem.INVALID, message));
    }

    /** Another claim won; this one is left out. */
    void conflicted(String field, String message) {
        problems.add(new Problem(object, field, Problem.ACCEPTED, Problem.CONFLICTED, message));
    }

    /** A reference that does not resolve; what refers to it stays and its requests get 503. */
    void unresolved(String field, String reason, String message) {
        problems.add(new Problem(object, field, Problem.RESOLVED_REFS, reason, message));
    }

    /** An ACME certificate that cannot be had (not allowed, not Pier's Secret, the last order failed). */
    void certificateNotReady(String field, String reason, String message) {
        problems.add(new Problem(object, field, Problem.CERTIFICATE_READY, reason, message));
    }

    /** Something that changes nothing served but is likely not what the author meant. */
    void warning(String field, String reason, String message) {
        problems.add(new Problem(object, field, null, reason, message));
    }

    /** How many problems left something out so far: a part whose checks raise it is left out. */
    int leftOut() {
        return (int) problems.stream().filter(p -> Problem.ACCEPTED.equals(p.conditionType())).count();
    }

    /** How many problems so far; with {@link #since} the ones one step of translation raised, for the memo. */
    int size() {
        return problems.size();
    }

    List<Problem> since(int size) {
        return List.copyOf(problems.subList(size, problems.size()));
    }

    /** Problems an earlier translation of the same inputs raised (see {@link TranslationMemo}). */
    void addAll(List<Problem> raised) {
        problems.addAll(raised);
    }

    List<Problem> list() {
        return List.copyOf(problems);
    }
}
