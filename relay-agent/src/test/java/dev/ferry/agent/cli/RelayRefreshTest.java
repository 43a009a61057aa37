package dev.ferry.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RelayRefreshTest {
    @Test
    void durationsInMillisecondsSecondsMinutesAndHours() {
        assertThat(RelayRefresh.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(RelayRefresh.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(RelayRefresh.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(RelayRefresh.parse("1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void anythingElseIsRefusedWithTheValue() {
        assertThatThrownBy(() -> RelayRefresh.parse("5")).hasMessageContaining("'5'");
        assertThatThrownBy(() -> RelayRefresh.parse("fast")).hasMessageContaining("500ms, 5s or 1m");
        assertThatThrownBy(() -> RelayRefresh.parse("10ms")).hasMessageContaining("between 100ms and 1h");
        assertThatThrownBy(() -> RelayRefresh.parse("2h")).hasMessageContaining("between 100ms and 1h");
    }
}
