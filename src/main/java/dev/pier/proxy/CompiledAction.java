package dev.pier.proxy;

/** A {@link dev.pier.model.RouteAction} compiled for serving: what a route does once its filters' request sides ran. */
sealed interface CompiledAction {

    /** Forward to one of {@code targets}; {@code split} chooses by weight when there are several. */
    record Forward(dev.pier.balance.WeightedSplit split, Target[] targets) implements CompiledAction {
        /** @return the target for this request, or null when there is none (empty list, all weights 0) */
        Target choose() {
            if (targets.length == 0) return null;
            if (split == null) return targets[0];
            int i = split.next();
            return i < 0 ? null : targets[i];
        }
    }

    /**
     * The namespace resolver: the path names the Service; {@code targets} is keyed by full Service
     * name. {@code handler} answers in Pier (rpc, event, the /rpc endpoint); null: forward.
     */
    record Resolve(String mount, String servicePrefix, boolean versioned,
                   java.util.Map<String, Target> targets, LocalHandler handler) implements CompiledAction {}

    /** A filter answers; reaching this means none did (a table error), so 503. */
    record NoBackend() implements CompiledAction {}
}
