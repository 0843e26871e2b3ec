package dev.pier.balance;

/**
 * Smooth weighted round-robin over a fixed set of weights, as nginx does it: each pick adds every
 * weight to its current value, takes the largest, and subtracts the total from it. Weights 5/1/1
 * give a a b a c a a. Weight 0 is never picked. Shared by all event loops, hence synchronized:
 * the sequence is exact for sequential callers.
 */
public final class WeightedSplit {
    private final int[] weights;
    private final int[] current;
    private final int total;

    public WeightedSplit(int[] weights) {
        this(weights, null);
    }

    /**
     * @param initialCurrent current weights to start from (carried over from a previous split whose
     *                       entries are still present), or null to start at zero
     */
    WeightedSplit(int[] weights, int[] initialCurrent) {
        if (initialCurrent != null && initialCurrent.length != weights.length) {
            throw new IllegalArgumentException("initialCurrent has " + initialCurrent.length
                    + " entries, weights has " + weights.length);
        }
        this.weights = weights.clone();
        this.current = initialCurrent == null ? new int[weights.length] : initialCurrent.clone();
        long sum = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] < 0) throw new IllegalArgumentException("weight[" + i + "] is negative: " + weights[i]);
            sum += weights[i];
        }
        if (sum > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("weights sum to " + sum + ", too large");
        this.total = (int) sum;
    }

    /** @return the index of the next pick, or -1 when every weight is 0 */
    public synchronized int next() {
        return next(-1);
    }

    /**
     * Like {@link #next()}, but leaves index {@code excluded} out of this round (a retry must go
     * elsewhere), as nginx skips peers it already tried: the excluded entry neither gains weight nor
     * counts in the total. If nothing else has weight, the exclusion is ignored.
     *
     * @param excluded an index to leave out, or -1
     */
    public synchronized int next(int excluded) {
        if (excluded < 0 || excluded >= weights.length || weights[excluded] == total) excluded = -1;
        int roundTotal = excluded < 0 ? total : total - weights[excluded];
        if (roundTotal == 0) return -1;
        int best = -1;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] == 0 || i == excluded) continue;
            current[i] += weights[i];
            if (best < 0 || current[i] > current[best]) best = i;
        }
        current[best] -= roundTotal;
        return best;
    }

    /** The current (smoothing) weight of entry {@code i}; carried over when the set changes. */
    synchronized int current(int i) {
        return current[i];
    }

    public int weight(int i) {
        return weights[i];
    }

    public int size() {
        return weights.length;
    }
}
