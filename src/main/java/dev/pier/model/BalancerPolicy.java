package dev.pier.model;

/** How one Service's endpoints are chosen. {@code hashOn} is set only for {@link Type#CONSISTENT_HASH}. */
public record BalancerPolicy(Type type, HashOn hashOn) {
    public enum Type { RANDOM, ROUND_ROBIN, WEIGHTED_ROUND_ROBIN, CONSISTENT_HASH, LEAST_REQUEST }

    /** What a consistent hash is computed over; {@code name} is empty for {@link Source#SOURCE_IP}. */
    public record HashOn(Source source, String name) {
        public enum Source { HEADER, COOKIE, SOURCE_IP, QUERY_PARAM }
    }

    public static final BalancerPolicy ROUND_ROBIN = new BalancerPolicy(Type.ROUND_ROBIN, null);
}
