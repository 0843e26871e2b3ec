package dev.pier.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WeightedSplitTest {

    private static String sequence(WeightedSplit split, int picks, int excluded) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            int next = split.next(excluded);
            s.append(next < 0 ? '-' : (char) ('a' + next));
        }
        return s.toString();
    }

    @Test
    void weights_5_1_1_give_nginx_sequence_twice_over() {
        WeightedSplit split = new WeightedSplit(new int[] {5, 1, 1});
        assertThat(sequence(split, 14, -1)).isEqualTo("aabacaa" + "aabacaa");
    }

    @Test
    void weights_3_1_interleave_and_keep_the_ratio() {
        WeightedSplit split = new WeightedSplit(new int[] {3, 1});
        assertThat(sequence(split, 8, -1)).isEqualTo("aaba" + "aaba");
    }

    @Test
    void weight_zero_is_never_picked() {
        WeightedSplit split = new WeightedSplit(new int[] {0, 2, 0, 1});
        String s = sequence(split, 300, -1);
        assertThat(s).doesNotContain("a").doesNotContain("c");
        assertThat(s.chars().filter(c -> c == 'b').count()).isEqualTo(200);
        assertThat(s.chars().filter(c -> c == 'd').count()).isEqualTo(100);
    }

    @Test
    void all_weights_zero_pick_nothing() {
        assertThat(new WeightedSplit(new int[] {0, 0}).next()).isEqualTo(-1);
        assertThat(new WeightedSplit(new int[0]).next()).isEqualTo(-1);
    }

    @Test
    void excluded_index_is_skipped_unless_it_is_the_only_one_with_weight() {
        assertThat(sequence(new WeightedSplit(new int[] {5, 1, 1}), 6, 0)).isEqualTo("bcbcbc");
        assertThat(sequence(new WeightedSplit(new int[] {1, 0}), 3, 0)).isEqualTo("aaa");
    }

    @Test
    void negative_weight_is_rejected_naming_the_index() {
        assertThatThrownBy(() -> new WeightedSplit(new int[] {1, -2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight[1]");
    }
}
