package dev.pier.translate;

import dev.pier.api.GatewayRoute;
import dev.pier.api.EventExtension;
import dev.pier.api.NamespaceResolver;
import dev.pier.api.ResolverEvent;
import dev.pier.api.ResolverHandlerType;
import dev.pier.model.BackendProtocol;
import dev.pier.model.BalancerPolicy;
import dev.pier.model.Filter;
import dev.pier.model.HealthCheck;
import dev.pier.model.ObjectRef;
import dev.pier.model.PathMatch;
import dev.pier.model.Problem;
import dev.pier.model.ResolverHandler;
import dev.pier.model.RetryPolicy;
import dev.pier.model.Route;
import dev.pier.model.RouteAction;
import dev.pier.model.RouteMatch;
import dev.pier.model.ServiceKey;
import dev.pier.model.Timeouts;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The route of a resolver rule (the namespace resolver, after the Micro API gateway): one PathPrefix
 * route of its mount whose {@link RouteAction.Resolve} holds every Service the path may name.
 */
final class ResolverRules {
    private final List<Service> services;
    private final BackendRefs backendRefs;
    private final BackendProtocols protocols;
    private final TranslateOptions options;

    ResolverRules(List<Service> services, BackendRefs backendRefs, BackendProtocols protocols, TranslateOptions options) {
        this.services = services;
        this.backendRefs = backendRefs;
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
        ResolverHandlerType handlerType = r.getHandler() == null ? ResolverHandlerType.HTTP : r.getHandler();
        boolean rpcEndpoint = Boolean.TRUE.equals(r.getRpcEndpoint());
        if (handlerType != ResolverHandlerType.EVENT && r.getEvent() != null) {
            problems.invalid(f + ".event", "only the event handler takes an event; this resolver's handler is "
                    + handlerType.wireName());
        }
        if (handlerType == ResolverHandlerType.EVENT) {
            if (rpcEndpoint) {
                problems.invalid(f + ".rpcEndpoint", "the event handler resolves no Service, so it has no /rpc endpoint");
            }
            ignoredByEvents(r, f, problems);
            Optional<ResolverHandler.Event> event = event(gr, namespace, r.getEvent(), f + ".event", tls, tlsField, problems);
            if (problems.leftOut() > before || event.isEmpty()) return Optional.empty();
            PathMatch path = PathMatch.prefix(mount);
            return Optional.of(new Route(id, ref, RouteMatch.path(path),
                    new RouteAction.Resolve(namespace, path.value(), servicePrefix, versioned, Map.of(), balancer, healthCheck,
                            Map.of(), event.get(), false),
                    filters, timeouts, retry, forwardRawPath, maxBody));
        }
        if (problems.leftOut() > before || selector.isEmpty()) return Optional.empty();
        PathMatch path = PathMatch.prefix(mount);
        ResolverHandler handler = handlerType == ResolverHandlerType.RPC ? ResolverHandler.RPC : ResolverHandler.FORWARD;

        Map<String, ServiceKey> resolved = new TreeMap<>();
        Map<String, BackendProtocol> protocolsByName = new TreeMap<>();
        List<String> notGrpc = new ArrayList<>();
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
            if (!(protocol instanceof BackendProtocol.H2c)) notGrpc.add(name);
        }
        if (handler instanceof ResolverHandler.Rpc && !notGrpc.isEmpty()) {
            // Not an error: a selector may pick Services of several kinds. Calls to these get 501.
            problems.warning(f + ".handler", Problem.UNSUPPORTED_PROTOCOL, "the rpc handler calls gRPC over HTTP/2 in"
                    + " cleartext (Service port appProtocol " + BackendProtocols.H2C + "); resolved Service"
                    + (notGrpc.size() == 1 ? " " : "s ") + String.join(", ", notGrpc) + " speak" + (notGrpc.size() == 1 ? "s" : "")
                    + " otherwise and get" + (notGrpc.size() == 1 ? "s" : "") + " 501");
        }
        return Optional.of(new Route(id, ref, RouteMatch.path(path),
                new RouteAction.Resolve(namespace, path.value(), servicePrefix, versioned, resolved, balancer, healthCheck,
                        protocolsByName, handler, rpcEndpoint),
                filters, timeouts, retry, forwardRawPath, maxBody));
    }

    /**
     * The event handler's sink and extensions. A sink Service or port that does not resolve keeps the
     * rule (its events get 503 until it appears), as a backendRef does.
     */
    private Optional<ResolverHandler.Event> event(GatewayRoute gr, String namespace, ResolverEvent written, String f,
                                                  BackendProtocols.RuleTls tls, String tlsField, ObjectProblems problems) {
        if (written == null || written.getSink() == null) {
            problems.invalid(written == null ? f : f + ".sink", "the event handler needs event.sink, the Service its"
                    + " events go to");
            return Optional.empty();
        }
        int before = problems.leftOut();
        String sinkName = written.getSink().getName();
        Integer sinkPort = written.getSink().getPort();
        if (sinkName == null || sinkName.isEmpty()) problems.invalid(f + ".sink.name", "missing");
        if (sinkPort == null || sinkPort < 1 || sinkPort > 65535)
            problems.invalid(f + ".sink.port", sinkPort == null ? "missing" : sinkPort + " is not a port (1-65535)");
        String sinkPath = written.getSink().getPath() == null ? "/" : written.getSink().getPath();
        if (!ResolverHandler.SINK_PATH.matcher(sinkPath).matches())
            problems.invalid(f + ".sink.path", "\"" + sinkPath + "\" is not an absolute path without query, fragment, spaces"
                    + " or control characters");
        List<ResolverHandler.EventExtension> extensions = new ArrayList<>();
        List<EventExtension> writtenExtensions = written.getExtensions() == null ? List.of() : written.getExtensions();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < writtenExtensions.size(); i++) {
            EventExtension e = writtenExtensions.get(i);
            String ef = f + ".extensions[" + i + "]";
            if (e == null) {
                problems.invalid(ef, "empty");
                continue;
            }
            String header = e.getHeader();
            String name = e.getName();
            if (header == null || header.isEmpty() || !ResolverHandler.EventExtension.isHeaderName(header)) {
                problems.invalid(ef + ".header", header == null || header.isEmpty() ? "missing" : "\"" + header
                        + "\" is not a header name");
                continue;
            }
            if (name == null || !ResolverHandler.EventExtension.NAME.matcher(name).matches()) {
                problems.invalid(ef + ".name", name == null ? "missing" : "\"" + name + "\" is not a CloudEvents extension"
                        + " name (lower-case letters and digits, at most 20)");
                continue;
            }
            if (ResolverHandler.EventExtension.RESERVED.contains(name)) {
                problems.invalid(ef + ".name", "\"" + name + "\" is an attribute CloudEvents defines; an extension needs"
                        + " another name");
                continue;
            }
            if (!names.add(name)) {
                problems.invalid(ef + ".name", "\"" + name + "\" is named twice");
                continue;
            }
            extensions.add(new ResolverHandler.EventExtension(header.toLowerCase(Locale.ROOT), name));
        }
        if (problems.leftOut() > before) return Optional.empty();
        BackendRefs.Written at = new BackendRefs.Written(f + ".sink.name", f + ".sink.port", "its events get 503");
        Optional<ServicePort> port = backendRefs.resolve(namespace, sinkName, sinkPort, null, at, problems);
        BackendProtocol protocol = port.map(p -> protocols.of(namespace, sinkName, p, tls, tlsField, at, problems))
                .orElse(BackendProtocol.HTTP1); // no endpoints either way: 503
        String source = "/apis/" + GatewayRoute.API_VERSION + "/namespaces/"
                + gr.getMetadata().getNamespace() + "/gatewayroutes/" + gr.getMetadata().getName();
        return Optional.of(new ResolverHandler.Event(new ServiceKey(namespace, sinkName, sinkPort), sinkPath, protocol, source,
                extensions));
    }

    /** Fields that name Services, which the event handler does not: written with it, they change nothing. */
    private static void ignoredByEvents(NamespaceResolver r, String f, ObjectProblems problems) {
        List<String> ignored = new ArrayList<>();
        if (r.getServicePrefix() != null && !r.getServicePrefix().isEmpty()) ignored.add("servicePrefix");
        if (Boolean.TRUE.equals(r.getVersioned())) ignored.add("versioned");
        if (r.getPort() != null) ignored.add("port");
        if (r.getSelector() != null) ignored.add("selector");
        if (!ignored.isEmpty()) {
            problems.warning(f, Problem.IGNORED_FIELD, String.join(", ", ignored) + (ignored.size() == 1 ? " has" : " have")
                    + " no effect with the event handler, which names no Service (the sink receives every event)");
        }
    }

    /** The TCP port {@code wanted} names (by name or number), the first TCP port when none is named. */
    private static Optional<ServicePort> port(Service s, IntOrString wanted) {
        if (wanted == null || (wanted.getIntVal() == null && wanted.getStrVal() == null)) {
            return BackendRefs.ports(s).stream().filter(p -> p.getPort() != null && BackendRefs.isTcp(p)).findFirst();
        }
        return BackendRefs.port(s, wanted.getIntVal(), wanted.getStrVal()).filter(BackendRefs::isTcp);
    }
}
