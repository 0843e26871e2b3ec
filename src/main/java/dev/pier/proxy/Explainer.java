package dev.pier.proxy;

import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.WeightedBackend;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Records what the matcher did for one described request and turns it into an {@link Explanation}. */
final class Explainer implements MatchTrace {
    private String hostKey;
    private HostStep hostStep = HostStep.NONE;
    private CompiledHost host;
    private final Map<CompiledRoute, Integer> failed = new IdentityHashMap<>();
    private final Map<CompiledRoute, Via> via = new IdentityHashMap<>();
    private boolean fellBack;

    private Explainer() {
    }

    static Explanation explain(CompiledTable table, EndpointIndex endpoints, ExplainRequest request) {
        String path;
        try {
            path = PathNormalizer.normalize(request.pathWithoutQuery()); // the data plane's own policy, before matching
        } catch (PathNormalizer.Rejected e) {
            return new Explanation(request, null, null, "none", null, List.of(), null, false, List.of(),
                    "the path policy refuses this path before matching: answered 400 (" + e.getMessage().strip() + ")");
        }
        Explainer trace = new Explainer();
        MatchInput input = request.input(path);
        CompiledRoute winner = table.select(input, trace);
        String refused = (winner == null || !winner.forwardRawPath) && PathNormalizer.hasEncodedSeparator(path)
                ? "the path holds an encoded / or \\ (%2F, %5C) and the route does not forward raw paths: answered 400" : null;
        List<Explanation.Rule> rules = new ArrayList<>();
        if (trace.host != null) {
            for (CompiledRoute r : trace.host.routes) {
                Integer f = trace.failed.get(r);
                Via v = trace.via.get(r);
                String verdict;
                String condition = null;
                if (r == winner) verdict = "wins";
                else if (f == null || f == CompiledRoute.PATH_DIFFERS) verdict = "path-differs";
                else if (f == CompiledRoute.MATCHES) verdict = "outranked";
                else {
                    verdict = "condition-failed";
                    condition = r.describeCondition(f);
                }
                rules.add(new Explanation.Rule(r.order, r.route, v == null ? null : v.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                        verdict, condition));
            }
        }
        List<Explanation.Backend> backends = new ArrayList<>();
        String note = null;
        if (winner == null) {
            note = "no route: answered 404";
        } else if (winner.action instanceof CompiledAction.Forward f) {
            List<WeightedBackend> declared = ((RouteAction.Forward) winner.route.action()).backends();
            for (int i = 0; i < f.targets().length; i++) {
                Target t = f.targets()[i];
                backends.add(new Explanation.Backend(t.service, declared.get(i).weight(), t.policy.type().name(), endpoints.get(t.service)));
            }
            if (backends.isEmpty()) note = "the route has no backend: answered 503";
        } else if (winner.action instanceof CompiledAction.Resolve r) {
            String upstreamPath = ResolverNaming.upstreamPath(input.path(), r.mount());
            String name = ResolverNaming.serviceName(upstreamPath, r.versioned());
            Target t = name == null ? null : r.targets().get(r.servicePrefix() + name);
            if (t == null) {
                note = "the resolver finds no Service for this path: answered 404";
            } else {
                backends.add(new Explanation.Backend(t.service, 1, t.policy.type().name(), endpoints.get(t.service)));
                note = "the resolver names Service " + t.service.name() + " from the path; the backend gets path " + upstreamPath;
            }
        }
        if (winner != null && backends.isEmpty() && note == null) note = "a filter answers; no backend is called";
        if (winner != null && winner.route.filters().stream().anyMatch(dev.pier.model.Filter::answers)) {
            note = "a filter answers (" + answering(winner.route) + "); no backend is called";
            backends.clear();
        }
        if (refused != null) {
            note = refused;
            backends.clear();
        }
        return new Explanation(request, path, trace.hostKey, trace.hostStep.name().toLowerCase(Locale.ROOT),
                trace.host == null ? null : trace.host.name, rules,
                winner == null ? null : winner.route, trace.fellBack && winner != null, List.copyOf(backends), note);
    }

    private static String answering(Route route) {
        return route.filters().stream().filter(dev.pier.model.Filter::answers).findFirst()
                .map(f -> f.getClass().getSimpleName()).orElse("");
    }

    @Override
    public void host(String hostKey, HostStep step, CompiledHost chosen) {
        this.hostKey = hostKey;
        this.hostStep = step;
        this.host = chosen;
    }

    @Override
    public void candidate(CompiledRoute route, Via how, int failedCondition) {
        failed.put(route, failedCondition);
        via.put(route, how);
    }

    @Override
    public void fellBackToDefault(CompiledRoute defaultRoute) {
        fellBack = true;
    }
}
