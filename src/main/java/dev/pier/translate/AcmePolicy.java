package dev.pier.translate;

import java.util.Objects;

/**
 * What translation needs to know about ACME: whether this Pier orders certificates at all
 * ({@code --acme-directory} given) and the hosts it may order them for.
 */
public record AcmePolicy(boolean enabled, AcmeHostAllowlist allowlist) {
    public static final AcmePolicy OFF = new AcmePolicy(false, AcmeHostAllowlist.NONE);

    public AcmePolicy {
        Objects.requireNonNull(allowlist, "allowlist");
    }
}
