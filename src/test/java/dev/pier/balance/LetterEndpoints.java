package dev.pier.balance;

import dev.pier.model.Endpoint;
import java.util.List;

/** Test endpoints named by one letter (the host), and picks rendered as a string of those names. */
final class LetterEndpoints {
    private LetterEndpoints() {
    }

    static Endpoint ep(String name) {
        return Endpoint.of(name, 80);
    }

    static Endpoint ep(String name, int weight) {
        return new Endpoint(name, 80, weight);
    }

    /** Hands {@code endpoints} to the balancer, as the data plane does when they change. */
    static <B extends Balancer> B serving(B balancer, List<Endpoint> endpoints) {
        balancer.setEndpoints(endpoints);
        return balancer;
    }

    /** The next {@code picks} picks without a key, as a string of hosts ("-" for none). */
    static String names(Balancer balancer, int picks) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            Endpoint e = balancer.pick(null, null);
            s.append(e == null ? "-" : e.host());
        }
        return s.toString();
    }
}
