package dev.ferry.link.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryBudgetTest {
    private static final long GIB = 1L << 30;

    @Test
    void defaultsToHalfTheDirectMemoryLimitAndNeverBelowTheMinimum() {
        assertThat(MemoryBudget.defaultFor(GIB).bytes()).isEqualTo(512L << 20);
        assertThat(MemoryBudget.defaultFor(8L << 20).bytes()).isEqualTo(MemoryBudget.MIN_BYTES);
    }

    @Test
    void windowsTogetherMayTakeHalfTheBudget() {
        assertThat(MemoryBudget.parse("256MiB", GIB).windowBytes()).isEqualTo(128L << 20);
        assertThat(MemoryBudget.parse("1GiB", GIB)).hasToString("1GiB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2GiB", "8MiB", "lots", ""})
    void refusesWhatDoesNotFitAndNamesTheFlagAndTheLimit(String text) {
        assertThatThrownBy(() -> MemoryBudget.parse(text, GIB))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--memory-budget must be")
                .hasMessageContaining(text.isEmpty() ? "got ''" : "got '" + text + "'");
    }

    @Test
    void aBudgetAboveTheDirectMemoryLimitSaysHowToRaiseIt() {
        assertThatThrownBy(() -> MemoryBudget.parse("2GiB", GIB))
                .hasMessageContaining("direct memory limit 1GiB").hasMessageContaining("-XX:MaxDirectMemorySize");
    }
}
