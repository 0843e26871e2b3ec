package dev.pier.model;

/**
 * What a route does about HTTPS: whether a plain-HTTP request is redirected (308) to https://, and
 * the {@code Strict-Transport-Security} header its HTTPS answers carry (null for none). Translation
 * sets it only on routes of hosts that have TLS; {@code /.well-known/acme-challenge/} paths are never
 * redirected (the data plane checks that, so an HTTP-01 solver keeps working).
 */
public record HttpsPolicy(boolean redirect, Hsts hsts) {
    public static final HttpsPolicy NONE = new HttpsPolicy(false, null);

    /**
     * {@code Strict-Transport-Security} (RFC 6797).
     *
     * @param maxAgeSeconds     how long browsers remember to use HTTPS only; 0 tells them to forget
     * @param includeSubDomains the same for every subdomain
     * @param preload           consent to browsers' preload lists, which require a year and subdomains
     */
    public record Hsts(long maxAgeSeconds, boolean includeSubDomains, boolean preload) {
        /** What preload lists require (hstspreload.org): at least a year, with includeSubDomains. */
        public static final long PRELOAD_MIN_MAX_AGE = 31_536_000;

        public Hsts {
            if (maxAgeSeconds < 0) throw new IllegalArgumentException("HSTS max-age < 0");
            if (preload && (!includeSubDomains || maxAgeSeconds < PRELOAD_MIN_MAX_AGE))
                throw new IllegalArgumentException("HSTS preload needs includeSubDomains and max-age >= " + PRELOAD_MIN_MAX_AGE);
        }

        /** The header's value, e.g. {@code max-age=31536000; includeSubDomains; preload}. */
        public String headerValue() {
            return "max-age=" + maxAgeSeconds + (includeSubDomains ? "; includeSubDomains" : "") + (preload ? "; preload" : "");
        }
    }
}
