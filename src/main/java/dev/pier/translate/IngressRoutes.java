package dev.pier.translate;

import dev.pier.model.BalancerPolicy;
import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import dev.pier.model.Problem;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import dev.pier.model.ServiceKey;
import dev.pier.model.WeightedBackend;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** The route claims one Ingress makes: its rules' paths and its default backend. */
final class IngressRoutes {
    static final String KIND = "Ingress";

    /** A DNS-1123 subdomain, optionally with a leading {@code *.} label (Kubernetes' own rule for Ingress hosts). */
    private static final Pattern HOST = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final BackendRefs backendRefs;
    private final BackendProtocols protocols;

    private final Map<Object, Object> sharedValues = new HashMap<>();

    IngressRoutes(BackendRefs backendRefs, BackendProtocols protocols) {
        this.backendRefs = backendRefs;
        this.protocols = protocols;
    }

    static ObjectRef ref(Ingress ingress) {
        return new ObjectRef(KIND, ingress.getMetadata().getNamespace(), ingress.getMetadata().getName());
    }

    static String createdAt(Ingress ingress) {
        String t = ingress.getMetadata().getCreationTimestamp();
        return t == null ? "" : t;
    }

    /**
     * The claims of the rules, one per valid path.
     *
     * @param deleting       whether the Ingress is being deleted: its claims then lose every conflict
     * @param forwardRawPath the Ingress's {@link IngressAnnotations#PATH_POLICY}
     * @param problems       the Ingress's own; their object is its routes' source
     */
    List<RouteClaim> rules(Ingress ingress, boolean deleting, boolean forwardRawPath, ObjectProblems problems) {
        ObjectRef ref = problems.object(); // the Ingress's own: its routes and its status share one instance
        List<RouteClaim> out = new ArrayList<>();
        List<IngressRule> rules = ingress.getSpec() == null || ingress.getSpec().getRules() == null
                ? List.of() : ingress.getSpec().getRules();
        for (int i = 0; i < rules.size(); i++) {
            IngressRule rule = rules.get(i);
            Optional<String> host = hostname(rule.getHost());
            if (host.isEmpty()) {
                problems.invalid("spec.rules[" + i + "].host", "\"" + rule.getHost() + "\" is not a valid host name"
                        + " (a DNS name, optionally starting with \"*.\"); this rule is left out");
                continue;
            }
            if (rule.getHttp() == null || rule.getHttp().getPaths() == null) continue;
            List<HTTPIngressPath> paths = rule.getHttp().getPaths();
            for (int j = 0; j < paths.size(); j++) {
                HTTPIngressPath path = paths.get(j);
                String field = pathField(i, j);
                PathMatch match;
                try {
                    match = IngressPaths.toPathMatch(path.getPathType(), path.getPath());
                } catch (IngressPaths.InvalidPath e) {
                    problems.invalid(field + ".path", e.getMessage() + "; this path is left out");
                    continue;
                }
                Optional<List<WeightedBackend>> backends = backends(ingress, path.getBackend(), field + ".backend",
                        "this path is left out", problems);
                if (backends.isEmpty()) continue;
                String id = "ingress/" + ref.namespace() + "/" + ref.name() + "/rule/" + i + "/path/" + j;
                Route route = forward(id, ref, RouteMatch.path(match), backends.get(), forwardRawPath);
                out.add(new RouteClaim(host.get(), route, createdAt(ingress), i, j, false, deleting));
            }
        }
        return out;
    }

    /** The first rules' and paths' field names, shared: translation keeps each claim (and its field) between changes. */
    private static final String[][] PATH_FIELDS = new String[8][8];

    static {
        for (int i = 0; i < PATH_FIELDS.length; i++) {
            for (int j = 0; j < PATH_FIELDS[i].length; j++) PATH_FIELDS[i][j] = "spec.rules[" + i + "].http.paths[" + j + "]";
        }
    }

    static String pathField(int rule, int path) {
        return rule < PATH_FIELDS.length && path < PATH_FIELDS[rule].length ? PATH_FIELDS[rule][path]
                : "spec.rules[" + rule + "].http.paths[" + path + "]";
    }

    /** The route of {@code spec.defaultBackend}, if it has a usable one. */
    Optional<Route> defaultRoute(Ingress ingress, boolean forwardRawPath, ObjectProblems problems) {
        if (ingress.getSpec() == null || ingress.getSpec().getDefaultBackend() == null) return Optional.empty();
        ObjectRef ref = problems.object();
        return backends(ingress, ingress.getSpec().getDefaultBackend(), "spec.defaultBackend",
                "this default backend is left out", problems)
                .map(b -> forward("ingress/" + ref.namespace() + "/" + ref.name() + "/default", ref,
                        RouteMatch.path(PathMatch.prefix("/")), b, forwardRawPath));
    }

    private Route forward(String id, ObjectRef ref, RouteMatch match, List<WeightedBackend> backends, boolean forwardRawPath) {
        return new Route(id, ref, shared(match), shared(new dev.pier.model.RouteAction.Forward(backends)), List.of(),
                dev.pier.model.Timeouts.NONE, dev.pier.model.RetryPolicy.NONE, forwardRawPath);
    }

    /**
     * One instance per distinct match and action in a translation: most Ingress paths are {@code Prefix /}, many
     * name the same Service, and the model is immutable (~150 B per route at 10,000 Ingresses to one Service).
     */
    @SuppressWarnings("unchecked")
    private <V> V shared(V value) {
        Object seen = sharedValues.putIfAbsent(value, value);
        return seen == null ? value : (V) seen;
    }

    /** Lower-case host, {@code *} for none; empty when the host is not valid. */
    static Optional<String> hostname(String host) {
        if (host == null || host.isEmpty()) return Optional.of("*");
        String lower = host.toLowerCase(Locale.ROOT);
        return HOST.matcher(lower).matches() ? Optional.of(lower) : Optional.empty();
    }

    /**
     * The backends a path forwards to. Empty: leave the path out (unsupported backend). A list
     * with no backend: keep the route, the data plane answers 503 (missing Service or port).
     */
    private Optional<List<WeightedBackend>> backends(Ingress ingress, IngressBackend backend, String field, String leftOut,
                                                     ObjectProblems problems) {
        if (backend == null) {
            problems.invalid(field, "missing; " + leftOut);
            return Optional.empty();
        }
        if (backend.getResource() != null) {
            problems.invalid(field + ".resource", "resource backends are not supported; " + leftOut);
            return Optional.empty();
        }
        IngressServiceBackend ref = backend.getService();
        if (ref == null || ref.getName() == null || ref.getName().isEmpty()) {
            problems.invalid(field + ".service.name", "missing; " + leftOut);
            return Optional.empty();
        }
        String namespace = ingress.getMetadata().getNamespace();
        Integer number = ref.getPort() == null ? null : ref.getPort().getNumber();
        String portName = ref.getPort() == null ? null : ref.getPort().getName();
        if (number == null && (portName == null || portName.isEmpty())) {
            problems.unresolved(field + ".service.port", Problem.PORT_NOT_FOUND, "neither number nor name is set; requests get 503");
            return Optional.of(List.of());
        }
        String portField = field + ".service.port." + (number != null ? "number" : "name");
        BackendRefs.Written at = new BackendRefs.Written(field + ".service.name", portField, "requests get 503");
        // An Ingress has no field to name a CA bundle: a TLS backend gets a problem and 503.
        return Optional.of(backendRefs.resolve(namespace, ref.getName(), number, portName, at, problems)
                .map(p -> List.of(new WeightedBackend(new ServiceKey(namespace, ref.getName(), p.getPort()), 1,
                        BalancerPolicy.ROUND_ROBIN, protocols.of(namespace, ref.getName(), p, null, null, at, problems))))
                .orElse(List.of()));
    }
}
