package dev.ferry.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LinkWindowTest {
    @ParameterizedTest
    @CsvSource({"16MiB, 16777216", "16m, 16777216", "16 MB, 16777216", "512KiB, 524288", "1GiB, 1073741824",
            "65536, 65536", "64k, 65536"})
    void parsesSizesInBinaryUnits(String text, int bytes) {
        assertThat(LinkWindow.parse(text).bytes()).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MiB", "16 TiB", "-1MiB", "1.5MiB", "sixteen", "2GiB", "32KiB", "99999999999"})
    void refusesWhatIsNotAWindowAndNamesTheFlag(String text) {
        assertThatThrownBy(() -> LinkWindow.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--link-window must be");
    }

    @Test
    void printsInTheUnitItWasGivenIn() {
        assertThat(LinkWindow.DEFAULT).hasToString("16MiB");
        assertThat(LinkWindow.parse("512k")).hasToString("512KiB");
    }
}
