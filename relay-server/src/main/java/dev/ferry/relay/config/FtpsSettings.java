package dev.ferry.relay.config;

import java.nio.file.Path;

/**
 * The relay's FTPS settings; errors name the flag.
 *
 * @param defaultCert {@code --ftps-cert}: the certificate for clients that name no tunnel, or null to
 *     generate one into the data dir
 * @param defaultKey {@code --ftps-key}, given with {@code --ftps-cert}
 * @param implicitListen {@code --ftps-listen}: where implicit FTPS is served, or null for nowhere
 */
public record FtpsSettings(Path defaultCert, Path defaultKey, HostPort implicitListen) {
    public static final FtpsSettings NONE = new FtpsSettings(null, null, null);

    public FtpsSettings {
        if ((defaultCert == null) != (defaultKey == null)) {
            throw new IllegalArgumentException("--ftps-cert and --ftps-key must be given together");
        }
    }
}
