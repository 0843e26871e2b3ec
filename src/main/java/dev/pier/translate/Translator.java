package dev.pier.translate;

import dev.pier.api.GatewayRoute;
import dev.pier.model.Condition;
import dev.pier.model.Endpoint;
import dev.pier.model.ObjectRef;
import dev.pier.model.ObjectStatus;
import dev.pier.model.Route;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import dev.pier.model.TlsCertificate;
import dev.pier.model.VirtualHost;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The pure function from Kubernetes objects to a routing table and statuses: no I/O, no clock. */
public final class Translator {
    private static final Comparator<Ingress> BY_NAME = Comparator
            .comparing((Ingress i) -> i.getMetadata().getNamespace())
            .thenComparing(i -> i.getMetadata().getName());

    private static final Comparator<GatewayRoute> ROUTES_BY_NAME = Comparator
            .comparing((GatewayRoute r) -> r.getMetadata().getNamespace())
            .thenComparing(r -> r.getMetadata().getName());

    private Translator() {
    }

    public static TranslationResult translate(ResourceSnapshot snapshot, TranslateOptions options) {
        IngressClassSelector classes = new IngressClassSelector(snapshot.ingressClasses(), options);
        Map<String, Service> services = byKey(snapshot.services());
        Map<String, Secret> secrets = byKey(snapshot.secrets());
        IngressRoutes ingressRoutes = new IngressRoutes(services, options);
        IngressTls ingressTls = new IngressTls(secrets);

        List<Ingress> ours = snapshot.ingresses().stream().filter(classes::isPiers).sorted(BY_NAME).toList();
        Map<ObjectRef, List<String>> problems = new LinkedHashMap<>();
        List<HostRoute> routes = new ArrayList<>();
        Ingress defaultOwner = null;
        Route defaultRoute = null;
        LinkedHashSet<TlsCertificate> certificates = new LinkedHashSet<>();
        for (Ingress ingress : ours) {
            List<String> own = problems.computeIfAbsent(IngressRoutes.ref(ingress), k -> new ArrayList<>());
            routes.addAll(ingressRoutes.rules(ingress, own));
            Optional<Route> fallback = ingressRoutes.defaultRoute(ingress, own);
            if (fallback.isPresent()) {
                if (defaultOwner == null || olderFirst(ingress, defaultOwner) < 0) {
                    if (defaultOwner != null) lostDefault(problems, defaultOwner, ingress);
                    defaultOwner = ingress;
                    defaultRoute = fallback.get();
                } else {
                    lostDefault(problems, ingress, defaultOwner);
                }
            }
            certificates.addAll(ingressTls.certificates(ingress, own));
        }
        GatewayRouteRoutes gatewayRouteRoutes = new GatewayRouteRoutes(services, snapshot.services(), options);
        Map<GatewayRoute, GatewayRouteRoutes.Outcome> outcomes = new LinkedHashMap<>();
        for (GatewayRoute route : snapshot.gatewayRoutes().stream().filter(classes::isPiers).sorted(ROUTES_BY_NAME).toList()) {
            GatewayRouteRoutes.Outcome outcome = gatewayRouteRoutes.translate(route);
            outcomes.put(route, outcome);
            List<String> own = problems.computeIfAbsent(GatewayRouteRoutes.ref(route), k -> new ArrayList<>());
            own.addAll(outcome.invalid());
            outcome.refs().forEach(r -> own.add(r.message()));
            routes.addAll(outcome.routes());
        }
        List<VirtualHost> hosts = VirtualHostMerger.merge(routes, problems);
        Map<ObjectRef, List<Condition>> conditions = new HashMap<>();
        if (!outcomes.isEmpty()) {
            // "gatewayroute/ns/name/rule/3/match/0" -> "gatewayroute/ns/name/rule/3/": one set lookup per rule.
            Set<String> servedRules = new HashSet<>();
            hosts.forEach(h -> h.routes().forEach(r -> {
                int rule = r.id().indexOf("/rule/");
                if (r.id().startsWith("gatewayroute/") && rule > 0) {
                    servedRules.add(r.id().substring(0, r.id().indexOf('/', rule + "/rule/".length()) + 1));
                }
            }));
            outcomes.forEach((route, outcome) -> conditions.put(GatewayRouteRoutes.ref(route),
                    GatewayRouteStatuses.conditions(route, outcome, servedRules,
                            problems.getOrDefault(GatewayRouteRoutes.ref(route), List.of()))));
        }

        List<TlsCertificate> sortedCertificates = new ArrayList<>(certificates);
        sortedCertificates.sort(Comparator.comparing((TlsCertificate c) -> c.secret().namespace())
                .thenComparing(c -> c.secret().name())
                .thenComparing(c -> String.join(",", c.hostnames())));

        List<ObjectStatus> statuses = new ArrayList<>();
        problems.forEach((ref, list) -> statuses.add(new ObjectStatus(ref, conditions.getOrDefault(ref, List.of()), list)));
        statuses.sort(Comparator.comparing((ObjectStatus s) -> s.object().kind())
                .thenComparing(s -> s.object().namespace()).thenComparing(s -> s.object().name()));

        return new TranslationResult(new RoutingTable(hosts, defaultRoute, sortedCertificates),
                endpoints(snapshot, options), statuses);
    }

    private static int olderFirst(Ingress a, Ingress b) {
        return RoutePrecedence.olderFirst(IngressRoutes.createdAt(a), IngressRoutes.ref(a),
                IngressRoutes.createdAt(b), IngressRoutes.ref(b));
    }

    private static void lostDefault(Map<ObjectRef, List<String>> problems, Ingress loser, Ingress winner) {
        boolean sameAge = IngressRoutes.createdAt(loser).equals(IngressRoutes.createdAt(winner));
        problems.computeIfAbsent(IngressRoutes.ref(loser), k -> new ArrayList<>())
                .add("defaultBackend: the default backend of " + IngressRoutes.ref(winner) + " wins because it "
                        + (sameAge ? "sorts first by namespace/name (same creationTimestamp)" : "is older")
                        + "; this one is left out");
    }

    /** Endpoints of every Service port in the snapshot, slices grouped by their Service first. */
    private static Map<ServiceKey, List<Endpoint>> endpoints(ResourceSnapshot snapshot, TranslateOptions options) {
        Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
        for (EndpointSlice slice : snapshot.endpointSlices()) {
            var labels = slice.getMetadata().getLabels();
            String service = labels == null ? null : labels.get(Endpoints.SERVICE_NAME_LABEL);
            if (service != null) {
                slicesByService.computeIfAbsent(slice.getMetadata().getNamespace() + "/" + service, k -> new ArrayList<>()).add(slice);
            }
        }
        Map<ServiceKey, List<Endpoint>> out = new TreeMap<>(Comparator.comparing(ServiceKey::namespace)
                .thenComparing(ServiceKey::name).thenComparingInt(ServiceKey::port));
        for (Service service : snapshot.services()) {
            String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
            out.putAll(Endpoints.forService(service, slicesByService.getOrDefault(key, List.of()), options.allowExternalName()));
        }
        return out;
    }

    private static <T extends HasMetadata> Map<String, T> byKey(List<T> objects) {
        Map<String, T> out = new HashMap<>();
        for (T o : objects) out.put(o.getMetadata().getNamespace() + "/" + o.getMetadata().getName(), o);
        return out;
    }
}
