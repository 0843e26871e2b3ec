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
        this.weights = weights.clone();
        this.current = new int[weights.length];
        int sum = 0;
        for (int w : weights) {
            if (w < 0) throw new IllegalArgumentException("negative weight");
            sum += w;
        }
        this.total = sum;
    }

    /** @return the index of the next pick, or -1 when every weight is 0 */
    public synchronized int next() {
        if (total == 0) return -1;
        int best = -1;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] == 0) continue;
            current[i] += weights[i];
            if (best < 0 || current[i] > current[best]) best = i;
        }
        current[best] -= total;
        return best;
    }

    public int size() {
        return weights.length;
    }
}
