package dev.pier.model;

import java.util.List;
import java.util.Locale;

/**
 * The routes of one hostname, in precedence order (the first that matches wins).
 * {@code hostname} is lower-case: an exact name, a wildcard {@code *.example.com} (exactly one
 * label in place of the star), or {@code *} for any host.
 */
public record VirtualHost(String hostname, List<Route> routes) {
    public VirtualHost {
        if (!hostname.toLowerCase(Locale.ROOT).equals(hostname))
            throw new IllegalArgumentException("hostname \"" + hostname + "\" is not lower-case");
        routes = List.copyOf(routes);
    }
}
