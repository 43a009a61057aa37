package dev.ferry.link.transport;

/**
 * Settings the relay's and the agent's command lines apply before Netty loads, each only when the
 * operator has not set it with {@code -D}. Tests run without them, so they keep Netty's checks.
 */
public final class ProcessDefaults {
    static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    private ProcessDefaults() {
    }

    /**
     * Turns off Netty's sampled buffer-leak tracking (a stack trace for one buffer in 128, about 1%
     * of a transfer's CPU in profiles); {@code -Dio.netty.leakDetection.level=simple} brings it back.
     */
    public static void apply() {
        if (System.getProperty(LEAK_DETECTION) == null) {
            System.setProperty(LEAK_DETECTION, "disabled");
        }
    }
}
