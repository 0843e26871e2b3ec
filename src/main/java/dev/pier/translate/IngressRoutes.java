package dev.pier.translate;

import dev.pier.model.BalancerPolicy;
import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import dev.pier.model.Route;
import dev.pier.model.RouteMatch;
import dev.pier.model.ServiceKey;
import dev.pier.model.WeightedBackend;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The routes one Ingress asks for: its rules' paths and its default backend. */
final class IngressRoutes {
    static final String KIND = "Ingress";

    /** A DNS-1123 subdomain, optionally with a leading {@code *.} label (Kubernetes' own rule for Ingress hosts). */
    private static final Pattern HOST = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final Map<String, Service> services; // "namespace/name" -> Service
    private final TranslateOptions options;

    IngressRoutes(Map<String, Service> services, TranslateOptions options) {
        this.services = services;
        this.options = options;
    }

    static ObjectRef ref(Ingress ingress) {
        return new ObjectRef(KIND, ingress.getMetadata().getNamespace(), ingress.getMetadata().getName());
    }

    static String createdAt(Ingress ingress) {
        String t = ingress.getMetadata().getCreationTimestamp();
        return t == null ? "" : t;
    }

    /** The routes of the rules, one per valid path; problems are appended to {@code problems}. */
    List<HostRoute> rules(Ingress ingress, List<String> problems) {
        ObjectRef ref = ref(ingress);
        List<HostRoute> out = new ArrayList<>();
        List<IngressRule> rules = ingress.getSpec() == null || ingress.getSpec().getRules() == null
                ? List.of() : ingress.getSpec().getRules();
        for (int i = 0; i < rules.size(); i++) {
            IngressRule rule = rules.get(i);
            Optional<String> host = hostname(rule.getHost());
            if (host.isEmpty()) {
                problems.add("rules[" + i + "].host: \"" + rule.getHost() + "\" is not a valid host name"
                        + " (a DNS name, optionally starting with \"*.\"); this rule is left out");
                continue;
            }
            if (rule.getHttp() == null || rule.getHttp().getPaths() == null) continue;
            List<HTTPIngressPath> paths = rule.getHttp().getPaths();
            for (int j = 0; j < paths.size(); j++) {
                HTTPIngressPath path = paths.get(j);
                String field = "rules[" + i + "].http.paths[" + j + "]";
                PathMatch match;
                try {
                    match = IngressPaths.toPathMatch(path.getPathType(), path.getPath());
                } catch (IngressPaths.InvalidPath e) {
                    problems.add(field + ".path: " + e.getMessage() + "; this path is left out");
                    continue;
                }
                Optional<List<WeightedBackend>> backends = backends(ingress, path.getBackend(), field + ".backend", "this path is left out", problems);
                if (backends.isEmpty()) continue;
                String id = "ingress/" + ref.namespace() + "/" + ref.name() + "/rule/" + i + "/path/" + j;
                Route route = Route.forward(id, ref, RouteMatch.path(match), backends.get());
                out.add(new HostRoute(host.get(), route, RoutePrecedence.Key.of(route, createdAt(ingress), i, j), field));
            }
        }
        return out;
    }

    /** The route of {@code spec.defaultBackend}, if it has a usable one. */
    Optional<Route> defaultRoute(Ingress ingress, List<String> problems) {
        if (ingress.getSpec() == null || ingress.getSpec().getDefaultBackend() == null) return Optional.empty();
        ObjectRef ref = ref(ingress);
        return backends(ingress, ingress.getSpec().getDefaultBackend(), "defaultBackend",
                "this default backend is left out", problems)
                .map(b -> Route.forward("ingress/" + ref.namespace() + "/" + ref.name() + "/default", ref,
                        RouteMatch.path(PathMatch.prefix("/")), b));
    }

    /** Lower-case host, {@code *} for none; empty when the host is not valid. */
    static Optional<String> hostname(String host) {
        if (host == null || host.isEmpty()) return Optional.of("*");
        String lower = host.toLowerCase(java.util.Locale.ROOT);
        return HOST.matcher(lower).matches() ? Optional.of(lower) : Optional.empty();
    }

    /**
     * The backends a path forwards to. Empty: leave the path out (unsupported backend). A list
     * with no backend: keep the route, the data plane answers 503 (missing Service or port).
     */
    private Optional<List<WeightedBackend>> backends(Ingress ingress, IngressBackend backend, String field, String leftOut,
                                                     List<String> problems) {
        if (backend == null) {
            problems.add(field + ": missing; " + leftOut);
            return Optional.empty();
        }
        if (backend.getResource() != null) {
            problems.add(field + ".resource: resource backends are not supported; " + leftOut);
            return Optional.empty();
        }
        IngressServiceBackend ref = backend.getService();
        if (ref == null || ref.getName() == null || ref.getName().isEmpty()) {
            problems.add(field + ".service.name: missing; " + leftOut);
            return Optional.empty();
        }
        String namespace = ingress.getMetadata().getNamespace();
        String serviceName = namespace + "/" + ref.getName();
        Service service = services.get(serviceName);
        if (service == null) {
            problems.add(field + ".service.name: Service " + serviceName + " not found; requests get 503");
            return Optional.of(List.of());
        }
        if (Endpoints.isExternalName(service) && !options.allowExternalName()) {
            problems.add(field + ".service.name: Service " + serviceName
                    + " is of type ExternalName, which is not allowed (--allow-external-name); requests get 503");
            return Optional.of(List.of());
        }
        Integer number = ref.getPort() == null ? null : ref.getPort().getNumber();
        String portName = ref.getPort() == null ? null : ref.getPort().getName();
        List<ServicePort> ports = service.getSpec() == null || service.getSpec().getPorts() == null
                ? List.of() : service.getSpec().getPorts();
        if (number == null && (portName == null || portName.isEmpty())) {
            problems.add(field + ".service.port: neither number nor name is set; requests get 503");
            return Optional.of(List.of());
        }
        for (ServicePort p : ports) {
            boolean matches = number != null ? number.equals(p.getPort()) : portName.equals(p.getName());
            if (matches && p.getPort() != null) {
                ServiceKey key = new ServiceKey(namespace, ref.getName(), p.getPort());
                return Optional.of(List.of(new WeightedBackend(key, 1, BalancerPolicy.ROUND_ROBIN)));
            }
        }
        if (number != null) {
            problems.add(field + ".service.port.number: Service " + serviceName + " has no port " + number
                    + (Endpoints.isExternalName(service) ? " (an ExternalName Service must list its ports in spec.ports)" : "")
                    + "; requests get 503");
        } else {
            problems.add(field + ".service.port.name: Service " + serviceName + " has no port named \"" + portName
                    + "\"; requests get 503");
        }
        return Optional.of(List.of());
    }
}
