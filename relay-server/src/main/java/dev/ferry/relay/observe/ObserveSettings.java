package dev.ferry.relay.observe;

import java.nio.file.Path;

/**
 * What the operator chose to observe: the access log file (null: none), its rotation, and whether
 * metrics carry a tunnel label ({@code serve --metrics-per-tunnel}).
 */
public record ObserveSettings(Path accessLog, long accessLogMaxBytes, int accessLogFiles, boolean metricsPerTunnel) {
    public static final long DEFAULT_MAX_BYTES = 100L * 1024 * 1024;
    public static final int DEFAULT_FILES = 5;
    public static final ObserveSettings DEFAULTS = new ObserveSettings(null, DEFAULT_MAX_BYTES, DEFAULT_FILES, false);

    public ObserveSettings {
        if (accessLogMaxBytes < 1024) {
            throw new IllegalArgumentException("--access-log-max-size must be at least 1 KiB, got " + accessLogMaxBytes);
        }
        if (accessLogFiles < 1 || accessLogFiles > 100) {
            throw new IllegalArgumentException("--access-log-files must be 1-100, got " + accessLogFiles);
        }
    }
}
