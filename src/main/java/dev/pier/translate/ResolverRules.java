package dev.pier.translate;

import dev.pier.api.GatewayRoute;
import dev.pier.api.NamespaceResolver;
import dev.pier.model.BackendProtocol;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.Filter;
import dev.pier.model.HealthCheck;
import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.ServiceKey;
import dev.pier.model.Timeouts;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The route of a resolver rule (the namespace resolver, after the Micro API gateway): one PathPrefix
 * route of its mount whose {@link RouteAction.Resolve} holds every Service the path may name.
 */
final class ResolverRules {
    private final List<Service> services;
    private final BackendProtocols protocols;
    private final TranslateOptions options;

    ResolverRules(List<Service> services, BackendProtocols protocols, TranslateOptions options) {
        this.services = services;
        this.protocols = protocols;
        this.options = options;
    }

    /**
     * The {@code services} map of {@link RouteAction.Resolve} is keyed by the <b>full Service
     * name</b> ({@code metadata.name}, which is {@code servicePrefix} + the name the path yields),
     * because the data plane looks up {@code servicePrefix + name}, where {@code name} is the first
     * segment after the mount with dots turned to dashes, or, when versioned and that segment is a
     * version ({@code v} and digits), {@code vN-<next segment>}. Values are the Service port chosen
     * by {@code resolver.port}. Only Services a path can name are put in: selected by the selector,
     * starting with servicePrefix with a non-empty rest, with a TCP port. Each is spoken to as its
     * port's appProtocol says ({@link BackendProtocols}), TLS ones checked as the rule's backendTLS says.
     */
    Optional<Route> route(GatewayRoute gr, ObjectRef ref, NamespaceResolver r, String f, String id, List<Filter> filters,
                          Timeouts timeouts, RetryPolicy retry, BalancerPolicy balancer, HealthCheck healthCheck,
                          boolean forwardRawPath, Long maxBody, BackendProtocols.RuleTls tls, String tlsField, ObjectProblems problems) {
        String own = gr.getMetadata().getNamespace();
        String namespace = r.getNamespace() == null || r.getNamespace().isEmpty() ? own : r.getNamespace();
        int before = problems.leftOut();
        if (!namespace.equals(own) && !options.resolverNamespaces().contains(namespace)) {
            // Resolving exposes every selected Service of a namespace: only its own, unless the operator allows more.
            problems.invalid(f + ".namespace", "\"" + namespace + "\" is not allowed: a route may resolve only its own namespace (\""
                    + own + "\") or one Pier is configured to allow (--resolver-namespace)");
        }
        String mount = r.getPathPrefix() == null ? "/" : r.getPathPrefix();
        if (!mount.startsWith("/") || mount.indexOf('?') >= 0 || mount.indexOf('#') >= 0) {
            problems.invalid(f + ".pathPrefix", "\"" + mount + "\" must start with \"/\" and hold no \"?\" or \"#\"");
        } else if (forwardRawPath && !PathMatch.prefix(mount).value().equals("/")) {
            problems.invalid(f.substring(0, f.length() - ".resolver".length()) + ".pathPolicy", "ForwardRaw is not allowed with"
                    + " pathPrefix " + mount + ": the mount is stripped from the normalised path, so the raw one cannot be forwarded");
        }
        String servicePrefix = r.getServicePrefix() == null ? "" : r.getServicePrefix();
        boolean versioned = Boolean.TRUE.equals(r.getVersioned());
        Optional<LabelSelectorMatcher> selector = LabelSelectorMatcher.of(r.getSelector(), f + ".selector", problems);
        if (problems.leftOut() > before || selector.isEmpty()) return Optional.empty();
        PathMatch path = PathMatch.prefix(mount);

        Map<String, ServiceKey> resolved = new TreeMap<>();
        Map<String, BackendProtocol> protocolsByName = new TreeMap<>();
        for (Service s : services) {
            String name = s.getMetadata().getName();
            if (!namespace.equals(s.getMetadata().getNamespace()) || !name.startsWith(servicePrefix)) continue;
            if (name.length() == servicePrefix.length()) continue;
            if (!selector.get().matches(s.getMetadata().getLabels())) continue;
            if (BackendRefs.isExternalName(s) && !options.allowExternalName()) continue;
            Optional<ServicePort> port = port(s, r.getPort());
            if (port.isEmpty()) continue;
            resolved.put(name, new ServiceKey(namespace, name, port.get().getPort()));
            BackendProtocol protocol = protocols.of(namespace, name, port.get(), tls, tlsField,
                    new BackendRefs.Written(f, f + ".port", "requests resolved to Service " + name + " get 503"), problems);
            if (!(protocol instanceof BackendProtocol.Http1)) protocolsByName.put(name, protocol);
        }
        return Optional.of(new Route(id, ref, RouteMatch.path(path),
                new RouteAction.Resolve(namespace, path.value(), servicePrefix, versioned, resolved, balancer, healthCheck,
                        protocolsByName),
                filters, timeouts, retry, forwardRawPath, maxBody));
    }

    /** The TCP port {@code wanted} names (by name or number), the first TCP port when none is named. */
    private static Optional<ServicePort> port(Service s, IntOrString wanted) {
        if (wanted == null || (wanted.getIntVal() == null && wanted.getStrVal() == null)) {
            return BackendRefs.ports(s).stream().filter(p -> p.getPort() != null && BackendRefs.isTcp(p)).findFirst();
        }
        return BackendRefs.port(s, wanted.getIntVal(), wanted.getStrVal()).filter(BackendRefs::isTcp);
    }
}
