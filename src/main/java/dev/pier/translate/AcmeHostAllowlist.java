package dev.pier.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The operator's ACME allowlist ({@code --acme-allow-host}): the hosts Pier may order certificates
 * for, whatever objects ask. An entry is an exact name ({@code shop.example.com}) or {@code *.} and a
 * domain ({@code *.example.com}), which allows every name exactly one label under it, as a TLS
 * wildcard covers (not {@code example.com}, not {@code a.b.example.com}). Empty allows nothing.
 */
public record AcmeHostAllowlist(List<String> entries) {
    public static final AcmeHostAllowlist NONE = new AcmeHostAllowlist(List.of());

    public AcmeHostAllowlist {
        entries = List.copyOf(entries);
    }

    /** Parses the flag's values; a value that is neither a DNS name nor {@code *.} and one throws, naming it. */
    public static AcmeHostAllowlist parse(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String raw : values) {
            String value = raw.strip();
            if (value.isEmpty()) continue;
            Optional<String> host = IngressRoutes.hostname(value);
            if (host.isEmpty() || host.get().equals("*")) {
                throw new IllegalArgumentException("\"" + value + "\" is neither a host name nor *. and a domain");
            }
            if (!out.contains(host.get())) out.add(host.get());
        }
        return new AcmeHostAllowlist(out);
    }

    /** Whether {@code host} (lower-case, no trailing dot) may get a certificate. */
    public boolean allows(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("*.")) return false; // a wildcard certificate needs DNS-01; see AcmeClaims
        int dot = name.indexOf('.');
        String parentWildcard = dot > 0 ? "*" + name.substring(dot) : null;
        for (String entry : entries) {
            if (entry.equals(name) || entry.equals(parentWildcard)) return true;
        }
        return false;
    }
}
