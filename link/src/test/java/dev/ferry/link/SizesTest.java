package dev.ferry.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void parsesWithinTheRangeAndNamesTheFlagOtherwise() {
        assertThat(Sizes.parse("--x", "3GiB", 0, 4L << 30, "small")).isEqualTo(3L << 30);
        assertThatThrownBy(() -> Sizes.parse("--x", "5GiB", 0, 4L << 30, "at most 4GiB"))
                .hasMessage("--x must be at most 4GiB, got '5GiB'");
        assertThatThrownBy(() -> Sizes.parse("--x", "1k", 2048, 4096, "2KiB to 4KiB"))
                .hasMessage("--x must be 2KiB to 4KiB, got '1k'");
        assertThatThrownBy(() -> Sizes.parse("--x", "9999999999999g", 0, Long.MAX_VALUE, "anything"))
                .hasMessageStartingWith("--x must be anything");
    }

    @Test
    void printsTheLargestUnitThatDividesTheSize() {
        assertThat(Sizes.format(1L << 30)).isEqualTo("1GiB");
        assertThat(Sizes.format(3L << 20)).isEqualTo("3MiB");
        assertThat(Sizes.format(1536)).isEqualTo("1536B");
        assertThat(Sizes.format(2048)).isEqualTo("2KiB");
        assertThat(Sizes.format(0)).isEqualTo("0B");
    }
}
