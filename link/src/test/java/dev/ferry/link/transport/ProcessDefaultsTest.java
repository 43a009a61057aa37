package dev.ferry.link.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProcessDefaultsTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(ProcessDefaults.LEAK_DETECTION);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(ProcessDefaults.LEAK_DETECTION);
        } else {
            System.setProperty(ProcessDefaults.LEAK_DETECTION, saved);
        }
    }

    @Test
    void turnsLeakTrackingOffUnlessTheOperatorChoseALevel() {
        System.clearProperty(ProcessDefaults.LEAK_DETECTION);
        ProcessDefaults.apply();
        assertThat(System.getProperty(ProcessDefaults.LEAK_DETECTION)).isEqualTo("disabled");

        System.setProperty(ProcessDefaults.LEAK_DETECTION, "paranoid");
        ProcessDefaults.apply();
        assertThat(System.getProperty(ProcessDefaults.LEAK_DETECTION)).isEqualTo("paranoid");
    }
}
