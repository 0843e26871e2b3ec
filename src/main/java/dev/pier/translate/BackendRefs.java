package dev.pier.translate;

import dev.pier.model.Problem;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one lookup of a Service port that a route refers to, shared by Ingress backends and
 * GatewayRoute backendRefs so both accept and refuse the same things: the Service must exist,
 * be no ExternalName unless allowed, and have the port (by number or name), which must be TCP.
 * A reference that fails is reported as a ResolvedRefs problem; the route keeps it and the data
 * plane answers its requests 503 until the Service is fixed.
 */
final class BackendRefs {
    private final Function<String, Service> services; // "namespace/name" -> Service, or null
    private final TranslateOptions options;

    BackendRefs(Function<String, Service> services, TranslateOptions options) {
        this.services = services;
        this.options = options;
    }

    /**
     * Where a reference is written in its object, and what a failure costs, for the problem text.
     *
     * @param nameField   the field naming the Service, e.g. {@code spec.rules[0].backendRefs[1].name}
     * @param portField   the field naming the port
     * @param consequence what happens to requests meanwhile, e.g. "requests get 503"
     */
    record Written(String nameField, String portField, String consequence) {
    }

    /**
     * The Service port {@code name} in {@code namespace} refers to, by {@code number} or else by
     * {@code portName}; empty (and a problem reported) when it does not resolve.
     */
    Optional<ServicePort> resolve(String namespace, String name, Integer number, String portName, Written at,
                                  ObjectProblems problems) {
        String serviceName = namespace + "/" + name;
        Service service = services.apply(serviceName);
        if (service == null) {
            problems.unresolved(at.nameField(), Problem.BACKEND_NOT_FOUND,
                    "Service " + serviceName + " not found; " + at.consequence());
            return Optional.empty();
        }
        if (isExternalName(service) && !options.allowExternalName()) {
            problems.unresolved(at.nameField(), Problem.UNSUPPORTED_BACKEND, "Service " + serviceName
                    + " is of type ExternalName, which is not allowed (--allow-external-name); " + at.consequence());
            return Optional.empty();
        }
        Optional<ServicePort> port = port(service, number, portName);
        if (port.isEmpty()) {
            String which = number != null ? "no port " + number : "no port named \"" + portName + "\"";
            problems.unresolved(at.portField(), Problem.PORT_NOT_FOUND, "Service " + serviceName + " has " + which
                    + (isExternalName(service) ? " (an ExternalName Service must list its ports in spec.ports)" : "")
                    + "; " + at.consequence());
            return Optional.empty();
        }
        if (!isTcp(port.get())) {
            problems.unresolved(at.portField(), Problem.UNSUPPORTED_PROTOCOL, "port " + port.get().getPort() + " of Service "
                    + serviceName + " is " + port.get().getProtocol() + "; Pier forwards HTTP over TCP only; " + at.consequence());
            return Optional.empty();
        }
        return port;
    }

    /** The port of {@code service} with this number, or else this name; empty when neither is given or none matches. */
    static Optional<ServicePort> port(Service service, Integer number, String name) {
        if (number == null && (name == null || name.isEmpty())) return Optional.empty();
        for (ServicePort p : ports(service)) {
            if (p.getPort() == null) continue;
            if (number != null ? number.equals(p.getPort()) : name.equals(p.getName())) return Optional.of(p);
        }
        return Optional.empty();
    }

    static List<ServicePort> ports(Service service) {
        return service.getSpec() == null || service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
    }

    /** TCP is the default protocol of a Service port; UDP and SCTP ports cannot carry HTTP. */
    static boolean isTcp(ServicePort port) {
        return port.getProtocol() == null || port.getProtocol().isEmpty() || "TCP".equals(port.getProtocol());
    }

    static boolean isExternalName(Service service) {
        return service.getSpec() != null && "ExternalName".equals(service.getSpec().getType());
    }
}
