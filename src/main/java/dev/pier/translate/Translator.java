package dev.pier.translate;

import dev.pier.api.GatewayRoute;
import dev.pier.model.Endpoint;
import dev.pier.model.HttpsPolicy;
import dev.pier.model.ObjectRef;
import dev.pier.model.ObjectStatus;
import dev.pier.model.Problem;
import dev.pier.model.Route;
import dev.pier.model.RoutingTable;
import dev.pier.model.ServiceKey;
import dev.pier.model.TlsCertificate;
import dev.pier.model.VirtualHost;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pure function from Kubernetes objects to a routing table and statuses: no I/O, no clock.
 * Each object's routes are claimed ({@link IngressRoutes}, {@link GatewayRouteRoutes}), the claims
 * merged into hosts ({@link VirtualHostMerger}, which decides conflicts and returns the winning
 * rules), and every object's status computed from its problems.
 */
public final class Translator {
    private static final Comparator<HasMetadata> BY_NAME = Comparator
            .comparing((HasMetadata o) -> o.getMetadata().getNamespace())
            .thenComparing(o -> o.getMetadata().getName());

    private Translator() {
    }

    /**
     * @param now the instant certificates are checked against (expired ones are left out); an input,
     *            so the same snapshot, options and instant always give the same result
     */
    public static TranslationResult translate(ResourceSnapshot snapshot, TranslateOptions options, Instant now) {
        return translate(snapshot, options, now, new TranslationMemo());
    }

    /**
     * The same result as the full translation, reusing from {@code memo} what the previous call made of
     * objects that did not change (and the same instances for hosts that did not), and remembering this
     * call's for the next.
     */
    public static TranslationResult translate(ResourceSnapshot snapshot, TranslateOptions options, Instant now,
                                              TranslationMemo memo) {
        memo.begin(options);
        TranslationResult result = translate(snapshot, options, now, memo, new TranslationMemo.Reads());
        memo.commit();
        return result;
    }

    private static TranslationResult translate(ResourceSnapshot snapshot, TranslateOptions options, Instant now,
                                               TranslationMemo memo, TranslationMemo.Reads reads) {
        IngressClassSelector classes = new IngressClassSelector(snapshot.ingressClasses(), options);
        BackendRefs backendRefs = new BackendRefs(reads.recording("Service", byKey(snapshot.services())), options);
        BackendProtocols protocols = new BackendProtocols(reads.recording("ConfigMap", byKey(snapshot.configMaps())));
        IngressRoutes ingressRoutes = new IngressRoutes(backendRefs, protocols);
        CertificateRefs certificateRefs = new CertificateRefs(byKey(snapshot.secrets()), now);
        AcmeClaims acmeClaims = new AcmeClaims(options.acme(), certificateRefs);
        IngressTls ingressTls = new IngressTls(certificateRefs, acmeClaims);
        GatewayRouteTls gatewayRouteTls = new GatewayRouteTls(certificateRefs, acmeClaims);
        GatewayRouteRoutes gatewayRouteRoutes = new GatewayRouteRoutes(backendRefs, protocols,
                new ResolverRules(snapshot.services(), backendRefs, protocols, options));
        Set<String> terminating = terminatingNamespaces(snapshot.namespaces());

        Map<ObjectRef, ObjectProblems> problems = new LinkedHashMap<>();
        List<RouteClaim> claims = new ArrayList<>();
        Ingress defaultOwner = null;
        Route defaultRoute = null;
        List<TlsClaim> tlsClaims = new ArrayList<>();
        Map<ObjectRef, HttpsPolicy> httpsPolicies = new HashMap<>();
        for (Ingress ingress : sorted(snapshot.ingresses().stream().filter(classes::isPiers).toList())) {
            ObjectProblems own = problems.computeIfAbsent(memo.ingressRef(IngressRoutes.ref(ingress)), ObjectProblems::new);
            OtherControllerAnnotations.check(ingress, own);
            boolean deleting = beingDeleted(ingress, terminating);
            boolean forwardRawPath = IngressAnnotations.forwardRawPath(ingress, own);
            TranslationMemo.IngressRouting routing = memo.ingress(own.object(), ingress, deleting, forwardRawPath, reads, own,
                    r -> new TranslationMemo.Translated(ingressRoutes.rules(ingress, deleting, forwardRawPath, own),
                            ingressRoutes.defaultRoute(ingress, forwardRawPath, own)));
            routing.addClaimsTo(claims);
            Optional<Route> fallback = routing.defaultRoute();
            if (fallback.isPresent()) {
                if (defaultOwner == null || defaultOrder(ingress, defaultOwner, terminating) < 0) {
                    if (defaultOwner != null) lostDefault(problems, defaultOwner, ingress, terminating);
                    defaultOwner = ingress;
                    defaultRoute = fallback.get();
                } else {
                    lostDefault(problems, ingress, defaultOwner, terminating);
                }
            }
            tlsClaims.addAll(ingressTls.claims(ingress, deleting, own));
            httpsPolicies.put(own.object(), IngressTls.policy(ingress, own));
        }
        List<GatewayRoute> gatewayRoutes = sorted(snapshot.gatewayRoutes().stream().filter(classes::isPiers).toList());
        Map<ObjectRef, Integer> ruleCounts = new HashMap<>();
        Map<ObjectRef, List<AcmeRequest>> acmeRequests = new HashMap<>();
        for (GatewayRoute route : gatewayRoutes) {
            ObjectProblems own = problems.computeIfAbsent(GatewayRouteRoutes.ref(route), ObjectProblems::new);
            boolean deleting = beingDeleted(route, terminating);
            GatewayRouteRoutes.Outcome outcome = gatewayRouteRoutes.translate(route, deleting, own);
            ruleCounts.put(own.object(), outcome.ruleCount());
            claims.addAll(outcome.claims());
            List<TlsClaim> routeTls = gatewayRouteTls.claims(route, outcome.hostnames(), deleting, own);
            tlsClaims.addAll(routeTls);
            acmeRequests.put(own.object(), AcmeClaims.requests(routeTls));
            httpsPolicies.put(own.object(), GatewayRouteTls.policy(route, own));
        }
        VirtualHostMerger.Merged merged = VirtualHostMerger.merge(claims, problems, memo);
        TlsHosts.Merged tls = TlsHosts.merge(tlsClaims, problems);
        TlsCertificate defaultCertificate = defaultCertificate(options.defaultCertificate(), certificateRefs, problems);

        List<ObjectStatus> statuses = new ArrayList<>();
        problems.forEach((ref, own) -> {
            // Every Ingress Pier serves gets a status (its load-balancer address); the default certificate's Secret only with problems.
            if (IngressRoutes.KIND.equals(ref.kind()) || (!GatewayRouteRoutes.KIND.equals(ref.kind()) && !own.list().isEmpty()))
                statuses.add(new ObjectStatus(ref, List.of(), own.list()));
        });
        Map<ObjectRef, Integer> served = new HashMap<>();
        merged.servedRules().forEach(r -> served.merge(r.object(), 1, Integer::sum));
        for (GatewayRoute route : gatewayRoutes) {
            ObjectRef ref = GatewayRouteRoutes.ref(route);
            List<Problem> own = problems.get(ref).list();
            statuses.add(new ObjectStatus(ref, GatewayRouteStatuses.conditions(route, ruleCounts.get(ref),
                    served.getOrDefault(ref, 0), own, acmeRequests.get(ref)), own));
        }
        statuses.sort(Comparator.comparing((ObjectStatus s) -> s.object().kind())
                .thenComparing(s -> s.object().namespace()).thenComparing(s -> s.object().name()));

        List<VirtualHost> hosts = TlsHosts.withHttpsPolicies(merged.hosts(), tls.tlsHosts(), httpsPolicies, memo);
        return new TranslationResult(new RoutingTable(hosts, defaultRoute, tls.certificates(), defaultCertificate,
                tls.acmeChallenges()), endpoints(snapshot, options), statuses, tls.acme());
    }

    /** The {@code --default-certificate} Secret; its problems are the Secret's own (no object names it). */
    private static TlsCertificate defaultCertificate(ObjectRef secret, CertificateRefs refs, Map<ObjectRef, ObjectProblems> problems) {
        if (secret == null) return null;
        ObjectProblems own = problems.computeIfAbsent(secret, ObjectProblems::new);
        return refs.resolve(secret.namespace(), secret.name(), List.of(), "",
                "the default certificate (--default-certificate) is the one generated at start", own).orElse(null);
    }

    /** A namespace being deleted: phase Terminating, or a deletionTimestamp the phase has not caught up with. */
    private static Set<String> terminatingNamespaces(List<Namespace> namespaces) {
        Set<String> out = new HashSet<>();
        for (Namespace ns : namespaces) {
            boolean phase = ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase());
            if (phase || ns.getMetadata().getDeletionTimestamp() != null) out.add(ns.getMetadata().getName());
        }
        return out;
    }

    /** Whether {@code o} is on its way out: it never wins a conflict, so traffic moves to the next claimant at once. */
    static boolean beingDeleted(HasMetadata o, Set<String> terminatingNamespaces) {
        String t = o.getMetadata().getDeletionTimestamp();
        return (t != null && !t.isEmpty()) || terminatingNamespaces.contains(o.getMetadata().getNamespace());
    }

    /** Which of two default backends wins: not being deleted, then the older, then namespace/name. */
    private static int defaultOrder(Ingress a, Ingress b, Set<String> terminating) {
        boolean aDeleting = beingDeleted(a, terminating);
        if (aDeleting != beingDeleted(b, terminating)) return aDeleting ? 1 : -1;
        return RoutePrecedence.olderFirst(IngressRoutes.createdAt(a), IngressRoutes.ref(a),
                IngressRoutes.createdAt(b), IngressRoutes.ref(b));
    }

    private static void lostDefault(Map<ObjectRef, ObjectProblems> problems, Ingress loser, Ingress winner, Set<String> terminating) {
        String why;
        if (beingDeleted(loser, terminating) && !beingDeleted(winner, terminating)) {
            why = "this one is being deleted";
        } else if (IngressRoutes.createdAt(loser).equals(IngressRoutes.createdAt(winner))) {
            why = "it sorts first by namespace/name (same creationTimestamp)";
        } else {
            why = "it is older";
        }
        problems.computeIfAbsent(IngressRoutes.ref(loser), ObjectProblems::new).conflicted("spec.defaultBackend",
                "the default backend of " + IngressRoutes.ref(winner) + " wins because " + why + "; this one is left out");
    }

    /** Endpoints of every Service port in the snapshot, slices grouped by their Service first. */
    private static Map<ServiceKey, List<Endpoint>> endpoints(ResourceSnapshot snapshot, TranslateOptions options) {
        Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
        for (EndpointSlice slice : snapshot.endpointSlices()) {
            var labels = slice.getMetadata().getLabels();
            String service = labels == null ? null : labels.get(ServiceEndpoints.SERVICE_NAME_LABEL);
            if (service != null) {
                slicesByService.computeIfAbsent(slice.getMetadata().getNamespace() + "/" + service, k -> new ArrayList<>()).add(slice);
            }
        }
        Map<ServiceKey, List<Endpoint>> out = new TreeMap<>(Comparator.comparing(ServiceKey::namespace)
                .thenComparing(ServiceKey::name).thenComparingInt(ServiceKey::port));
        for (Service service : snapshot.services()) {
            String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
            out.putAll(ServiceEndpoints.forService(service, slicesByService.getOrDefault(key, List.of()), options.allowExternalName()));
        }
        return out;
    }

    private static <T extends HasMetadata> List<T> sorted(List<T> objects) {
        List<T> out = new ArrayList<>(objects);
        out.sort(BY_NAME);
        return out;
    }

    private static <T extends HasMetadata> Map<String, T> byKey(List<T> objects) {
        Map<String, T> out = new HashMap<>();
        for (T o : objects) out.put(o.getMetadata().getNamespace() + "/" + o.getMetadata().getName(), o);
        return out;
    }
}
