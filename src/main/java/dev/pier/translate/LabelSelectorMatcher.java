package dev.pier.translate;

import dev.pier.api.NamespaceResolver;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** A Kubernetes label selector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), all must hold. */
record LabelSelectorMatcher(Map<String, String> labels, List<LabelSelectorRequirement> expressions) {
    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

    static final LabelSelectorMatcher EXPOSED = new LabelSelectorMatcher(
            Map.of(NamespaceResolver.DEFAULT_EXPOSE_LABEL, "true"), List.of());

    /** Null selects the opted-in Services ({@value NamespaceResolver#DEFAULT_EXPOSE_LABEL}: "true"); {} every Service. */
    static Optional<LabelSelectorMatcher> of(LabelSelector s, String f, ObjectProblems problems) {
        if (s == null) return Optional.of(EXPOSED);
        List<LabelSelectorRequirement> exprs = s.getMatchExpressions() == null ? List.of() : s.getMatchExpressions();
        int before = problems.leftOut();
        for (int k = 0; k < exprs.size(); k++) {
            LabelSelectorRequirement e = exprs.get(k);
            String ef = f + ".matchExpressions[" + k + "]";
            List<String> values = e.getValues() == null ? List.of() : e.getValues();
            if (e.getKey() == null || e.getKey().isEmpty()) {
                problems.invalid(ef + ".key", "missing");
            } else if (e.getOperator() == null || !OPERATORS.contains(e.getOperator())) {
                problems.invalid(ef + ".operator", "\"" + e.getOperator() + "\" is not one of In, NotIn, Exists, DoesNotExist");
            } else if ((e.getOperator().equals("In") || e.getOperator().equals("NotIn")) && values.isEmpty()) {
                problems.invalid(ef + ".values", "required for operator " + e.getOperator());
            } else if ((e.getOperator().equals("Exists") || e.getOperator().equals("DoesNotExist")) && !values.isEmpty()) {
                problems.invalid(ef + ".values", "must be empty for operator " + e.getOperator());
            }
        }
        if (problems.leftOut() > before) return Optional.empty();
        return Optional.of(new LabelSelectorMatcher(s.getMatchLabels() == null ? Map.of() : s.getMatchLabels(), exprs));
    }

    boolean matches(Map<String, String> have) {
        Map<String, String> l = have == null ? Map.of() : have;
        for (var e : labels.entrySet()) {
            if (!Objects.equals(e.getValue(), l.get(e.getKey()))) return false;
        }
        for (LabelSelectorRequirement e : expressions) {
            String v = l.get(e.getKey());
            boolean holds = switch (e.getOperator()) {
                case "In" -> v != null && e.getValues().contains(v);
                case "NotIn" -> v == null || !e.getValues().contains(v); // as Kubernetes: an absent label is "not in"
                case "Exists" -> l.containsKey(e.getKey());
                case "DoesNotExist" -> !l.containsKey(e.getKey());
                default -> false;
            };
            if (!holds) return false;
        }
        return true;
    }
}
