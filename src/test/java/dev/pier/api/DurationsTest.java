package dev.pier.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void readsEachUnit() {
        assertThat(Durations.parse("50ms")).isEqualTo(Duration.ofMillis(50));
        assertThat(Durations.parse("15s")).isEqualTo(Duration.ofSeconds(15));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void addsUpSeveralPairs() {
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("1m1s500ms")).isEqualTo(Duration.ofMillis(61_500));
        // a unit may repeat; the parts still add up
        assertThat(Durations.parse("1s1s")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void readsMillisecondsAsMillisecondsNotMinutes() {
        assertThat(Durations.parse("5ms")).isEqualTo(Duration.ofMillis(5));
        assertThat(Durations.parse("5m5ms")).isEqualTo(Duration.ofMinutes(5).plusMillis(5));
    }

    @Test
    void readsDecimals() {
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("0.25h")).isEqualTo(Duration.ofMinutes(15));
        assertThat(Durations.parse("0.000001ms")).isEqualTo(Duration.ofNanos(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "s", "-1s", "1 s", "1S", "1d", "1.s", ".5s", "1sx", " 1s", "1e3s", "1us"})
    void rejectsWhatThePatternRejects(String text) {
        assertThat(text).doesNotMatch(Durations.PATTERN);
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid duration \"" + text + "\"")
                .hasMessageContaining("ms, s, m, h");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Durations.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid duration \"null\"");
    }

    @Test
    void rejectsFractionsOfANanosecond() {
        assertThatThrownBy(() -> Durations.parse("0.0000001ms")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finer than a nanosecond");
    }

    @Test
    void rejectsWhatADurationCannotHold() {
        assertThatThrownBy(() -> Durations.parse("99999999999999999999999h")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large");
    }
}
