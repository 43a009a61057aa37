package dev.ferry.link.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.link.LinkWindow;
import org.junit.jupiter.api.Test;

class WindowBudgetTest {
    private static final int MIB = 1 << 20;
    /** 64 MiB of memory: 32 MiB of windows. */
    private final WindowBudget budget = WindowBudget.forLink(new MemoryBudget(64L * MIB), LinkWindow.DEFAULT);

    @Test
    void streamsStartSmallAndMayGrowToTheLinkWindow() {
        assertThat(budget.minWindow()).isEqualTo(WindowBudget.START_WINDOW);
        assertThat(budget.maxWindow()).isEqualTo(16 * MIB);
        assertThat(WindowBudget.forLink(new MemoryBudget(64L * MIB), LinkWindow.parse("64KiB")).minWindow())
                .isEqualTo(64 << 10);
    }

    @Test
    void chargesNoMoreThanTheBudgetHasLeft() {
        assertThat(budget.tryCharge(30L * MIB)).isEqualTo(30L * MIB);
        assertThat(budget.tryCharge(4L * MIB)).isEqualTo(2L * MIB);
        assertThat(budget.tryCharge(MIB)).isZero();
        assertThat(budget.exceeded()).isFalse();
        budget.charge(MIB); // a window the peer already has is charged whatever the budget says
        assertThat(budget.exceeded()).isTrue();
        budget.charge(-8L * MIB);
        assertThat(budget.charged()).isEqualTo(25L * MIB);
        assertThat(budget.exceeded()).isFalse();
    }

    @Test
    void aStreamGrowsToTheLinkWindowWhileHalfTheBudgetIsFreeThenToAnEqualShare() {
        budget.streams(64);
        assertThat(budget.growthLimit(12L * MIB)).isEqualTo(16 * MIB);
        budget.charge(10L * MIB);
        assertThat(budget.growthLimit(12L * MIB)).isEqualTo(MIB / 2); // 32 MiB over 64 streams
        budget.streams(-63);
        assertThat(budget.growthLimit(12L * MIB)).isEqualTo(16 * MIB); // one stream: capped by the link window
        budget.streams(10_000);
        assertThat(budget.fairShare()).isEqualTo(WindowBudget.START_WINDOW);
    }

    @Test
    void refusesAnEmptyWindowRange() {
        assertThatThrownBy(() -> new WindowBudget(new MemoryBudget(64L * MIB), 2 * MIB, MIB))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
