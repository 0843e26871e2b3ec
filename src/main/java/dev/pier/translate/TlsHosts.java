package dev.pier.translate;

import dev.pier.model.AcmeCertificate;
import dev.pier.model.AcmeChallenge;
import dev.pier.model.HttpsPolicy;
import dev.pier.model.ObjectRef;
import dev.pier.model.Route;
import dev.pier.model.TlsCertificate;
import dev.pier.model.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The TLS claims of all objects merged: one certificate per hostname (a conflict between two
 * usable certificates goes as route conflicts go: not being deleted, then the older object, then
 * namespace/name), the set of hostnames that have TLS, and the HTTPS policy of each route on them.
 */
final class TlsHosts {
    private TlsHosts() {
    }

    /**
     * @param certificates   one per Secret, each with the hostnames it won
     * @param tlsHosts       every hostname some object declared TLS for, with or without a usable certificate
     * @param acme           the certificates Pier orders: per Secret, the hosts its ACME entries won
     * @param acmeChallenges the challenge answers of those Secrets, for the hosts they won
     */
    record Merged(List<TlsCertificate> certificates, Set<String> tlsHosts, List<AcmeCertificate> acme,
                  List<AcmeChallenge> acmeChallenges) {
    }

    private static final Comparator<TlsClaim> CLAIM_ORDER = (a, b) -> {
        if (a.deleting() != b.deleting()) return a.deleting() ? 1 : -1;
        return RoutePrecedence.olderFirst(a.createdAt(), a.object(), b.createdAt(), b.object());
    };

    /**
     * A claim owns a host when it comes first (precedence) among the claims that can serve it: those
     * with a usable certificate, and ACME entries Pier may order, whose certificate is still to come
     * (its host gets the default certificate until then, rather than another object's).
     */
    static Merged merge(List<TlsClaim> claims, Map<ObjectRef, ObjectProblems> problems) {
        List<TlsClaim> ordered = new ArrayList<>(claims);
        ordered.sort(CLAIM_ORDER); // stable: an object's own entries keep their order
        Set<String> tlsHosts = new TreeSet<>();
        Map<String, TlsClaim> owner = new TreeMap<>();
        Map<ObjectRef, TlsCertificate> bySecret = new LinkedHashMap<>();
        Map<ObjectRef, TreeSet<String>> hostsBySecret = new LinkedHashMap<>();
        Map<ObjectRef, TreeSet<String>> acmeHosts = new LinkedHashMap<>();
        Map<ObjectRef, TreeSet<ObjectRef>> acmeRequesters = new LinkedHashMap<>();
        Map<ObjectRef, AcmeRequest> acmeState = new LinkedHashMap<>();
        for (TlsClaim claim : ordered) {
            tlsHosts.addAll(claim.hostnames());
            ObjectRef secret = claim.secret();
            if (secret == null) continue;
            TlsCertificate cert = claim.certificate();
            boolean ordering = claim.acme() != null && claim.acme().orderable();
            for (String host : claim.hostnames()) {
                TlsClaim first = owner.get(host);
                if (first == null) {
                    owner.put(host, claim);
                    if (cert != null) {
                        bySecret.putIfAbsent(secret, cert);
                        hostsBySecret.computeIfAbsent(secret, s -> new TreeSet<>()).add(host);
                    }
                    if (ordering) {
                        acmeHosts.computeIfAbsent(secret, s -> new TreeSet<>()).add(host);
                        acmeRequesters.computeIfAbsent(secret, s -> new TreeSet<>(OBJECT_ORDER)).add(claim.object());
                        acmeState.putIfAbsent(secret, claim.acme());
                    }
                } else if (!first.secret().equals(secret)) {
                    problems.computeIfAbsent(claim.object(), ObjectProblems::new).conflicted(claim.field(),
                            "host \"" + host + "\" already has the certificate of " + first.secret() + " from "
                            + first.object() + " " + first.field() + ", which wins because " + why(claim, first)
                            + "; this certificate is not " + (ordering ? "ordered or " : "") + "served for it");
                }
            }
        }
        List<TlsCertificate> certificates = new ArrayList<>();
        bySecret.forEach((secret, cert) -> certificates.add(cert.withHostnames(List.copyOf(hostsBySecret.get(secret)))));
        certificates.sort(Comparator.comparing((TlsCertificate c) -> c.secret().namespace()).thenComparing(c -> c.secret().name()));
        List<AcmeCertificate> acme = new ArrayList<>();
        List<AcmeChallenge> challenges = new ArrayList<>();
        acmeHosts.forEach((secret, hosts) -> {
            acme.add(new AcmeCertificate(secret, List.copyOf(hosts), List.copyOf(acmeRequesters.get(secret))));
            for (AcmeChallenge c : acmeState.get(secret).challenges()) {
                if (hosts.contains(c.hostname())) challenges.add(c);
            }
        });
        acme.sort(Comparator.comparing((AcmeCertificate c) -> c.secret().namespace()).thenComparing(c -> c.secret().name()));
        challenges.sort(Comparator.comparing(AcmeChallenge::hostname).thenComparing(AcmeChallenge::type));
        return new Merged(certificates, tlsHosts, acme, challenges);
    }

    private static final Comparator<ObjectRef> OBJECT_ORDER = Comparator.comparing(ObjectRef::kind)
            .thenComparing(ObjectRef::namespace).thenComparing(ObjectRef::name);

    private static String why(TlsClaim loser, TlsClaim winner) {
        if (winner.object().equals(loser.object())) return "it comes first in the same object";
        if (loser.deleting() && !winner.deleting()) return "this object is being deleted";
        if (!winner.createdAt().equals(loser.createdAt())) return "it is older";
        return "it sorts first by namespace/name (same creationTimestamp)";
    }

    /**
     * The hosts with each route's HTTPS policy set: on a host that has TLS, the policy of the object
     * the route came from; elsewhere none (nothing to redirect to, and HSTS would pin browsers to a
     * certificate the host does not have).
     */
    static List<VirtualHost> withHttpsPolicies(List<VirtualHost> hosts, Set<String> tlsHosts, Map<ObjectRef, HttpsPolicy> policies,
                                               TranslationMemo memo) {
        if (tlsHosts.isEmpty()) return hosts;
        List<VirtualHost> out = new ArrayList<>(hosts.size());
        for (VirtualHost host : hosts) {
            out.add(hasTls(host.hostname(), tlsHosts) ? memo.withHttps(host, policies) : host);
        }
        return out;
    }

    /** A TLS hostname covers a virtual host of the same name, or one exactly one label under its wildcard. */
    static boolean hasTls(String hostname, Set<String> tlsHosts) {
        if (tlsHosts.contains(hostname)) return true;
        if (hostname.startsWith("*.") || hostname.equals("*")) return false;
        int dot = hostname.indexOf('.');
        return dot > 0 && tlsHosts.contains("*" + hostname.substring(dot));
    }
}
