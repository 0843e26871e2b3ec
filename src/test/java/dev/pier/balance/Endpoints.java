package dev.pier.balance;

import dev.pier.model.Endpoint;
import java.util.List;

/** Test endpoints named by one letter (the host), and picks rendered as a string of those names. */
final class Endpoints {
    private Endpoints() {
    }

    static Endpoint ep(String name) {
        return Endpoint.of(name, 80);
    }

    static Endpoint ep(String name, int weight) {
        return new Endpoint(name, 80, weight);
    }

    static String names(Balancer balancer, List<Endpoint> endpoints, int picks) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            Endpoint e = balancer.pick(endpoints, null, null);
            s.append(e == null ? "-" : e.host());
        }
        return s.toString();
    }
}
