package dev.pier.source.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which changes go into which batch, and whether a batch was taken at once or after a hold-off. The
 * hold-offs here are an hour where a batch must not wait for them (a batch that did would never come),
 * a millisecond where it may; nothing is timed.
 */
class ChangeBatchTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration MILLI = Duration.ofMillis(1);
    private final ExecutorService rebuildThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        rebuildThread.shutdownNow();
    }

    /** The rebuild thread's next batch; the bound only stops a broken batch from hanging the build, it measures nothing. */
    private ChangeBatch.Batch next(ChangeBatch changes) throws Exception {
        return rebuildThread.submit(() -> changes.next(() -> true)).get(60, TimeUnit.SECONDS);
    }

    /** The next batch, and the rebuild thread done with it (so idle until the next change). */
    private ChangeBatch.Batch build(ChangeBatch changes) throws Exception {
        ChangeBatch.Batch batch = next(changes);
        changes.built();
        return batch;
    }

    @Test
    void the_first_batch_goes_once_ready_and_the_first_change_after_it_goes_at_once() throws Exception {
        ChangeBatch changes = new ChangeBatch(HOUR, HOUR);
        assertThat(build(changes)).isEqualTo(new ChangeBatch.Batch(true, false, Set.of(), 0, false));

        changes.routesChanged();
        // An hour's hold-off does not apply: nothing changed before, and the rebuild thread is idle.
        assertThat(build(changes)).isEqualTo(new ChangeBatch.Batch(true, false, Set.of(), 1, true));
    }

    @Test
    void changes_during_a_build_coalesce_into_one_batch_behind_it() throws Exception {
        ChangeBatch changes = new ChangeBatch(MILLI, HOUR);
        build(changes);
        changes.routesChanged();
        assertThat(next(changes).atOnce()).isTrue();

        // The rebuild thread is still building that batch: all of these wait for it and go together.
        changes.endpointsChanged("shop/web");
        changes.routesChanged();
        changes.endpointsChanged("shop/cart");
        changes.statusesWanted();
        changes.endpointsChanged("shop/web");
        changes.built();
        assertThat(build(changes)).isEqualTo(new ChangeBatch.Batch(true, true, Set.of("shop/web", "shop/cart"), 5, false));
    }

    @Test
    void a_burst_costs_two_batches_the_first_change_at_once_and_the_rest_after_the_hold_off() throws Exception {
        // The quiet period is the hold-off (an hour here); the rest of the burst goes at maxHoldOff.
        ChangeBatch changes = new ChangeBatch(HOUR, MILLI);
        build(changes);

        changes.routesChanged();
        assertThat(next(changes)).isEqualTo(new ChangeBatch.Batch(true, false, Set.of(), 1, true));
        for (int i = 0; i < 49; i++) changes.routesChanged();
        changes.built();
        assertThat(build(changes)).isEqualTo(new ChangeBatch.Batch(true, false, Set.of(), 49, false));
    }

    @Test
    void a_change_soon_after_the_last_one_goes_at_once_when_the_rebuild_thread_is_idle() throws Exception {
        ChangeBatch changes = new ChangeBatch(HOUR, HOUR);
        build(changes);
        changes.endpointsChanged("shop/web");
        assertThat(build(changes).atOnce()).isTrue();

        // Built and idle again, well within an hour's hold-off of the previous change: one writer's next edit does not wait.
        changes.endpointsChanged("shop/cart");
        assertThat(build(changes)).isEqualTo(new ChangeBatch.Batch(false, false, Set.of("shop/cart"), 1, true));
    }

    @Test
    void a_change_after_the_table_went_live_goes_at_once_though_the_rebuild_thread_says_built_again_after_its_bookkeeping()
            throws Exception {
        ChangeBatch changes = new ChangeBatch(HOUR, HOUR);
        build(changes);
        changes.routesChanged();
        next(changes);
        changes.built(); // the table serves
        changes.routesChanged(); // the writer saw it served and wrote its next change: the thread still offers statuses
        changes.built(); // the end of that batch's bookkeeping
        assertThat(build(changes)).isEqualTo(new ChangeBatch.Batch(true, false, Set.of(), 1, true));
    }

    @Test
    void a_change_marked_while_a_batch_is_taken_is_in_the_next_batch_not_lost() throws Exception {
        ChangeBatch changes = new ChangeBatch(MILLI, HOUR);
        build(changes);
        changes.endpointsChanged("shop/web");
        ChangeBatch.Batch first = next(changes);
        changes.endpointsChanged("shop/cart");
        changes.built();
        ChangeBatch.Batch second = build(changes);
        assertThat(first.services()).containsExactly("shop/web");
        assertThat(second.services()).containsExactly("shop/cart");
        assertThat(second.routes()).isFalse();
    }

    @Test
    void a_retry_after_a_failed_rebuild_translates_again_without_a_change() throws Exception {
        ChangeBatch changes = new ChangeBatch(HOUR, HOUR);
        build(changes);
        changes.retryRoutesAfter(MILLI);
        assertThat(build(changes)).isEqualTo(new ChangeBatch.Batch(true, false, Set.of(), 0, false));
    }

    @Test
    void close_ends_a_waiting_next() throws Exception {
        ChangeBatch changes = new ChangeBatch(HOUR, HOUR);
        build(changes);
        var waiting = rebuildThread.submit(() -> changes.next(() -> true));
        changes.close();
        assertThat(waiting.get(60, TimeUnit.SECONDS)).isNull();
    }
}
