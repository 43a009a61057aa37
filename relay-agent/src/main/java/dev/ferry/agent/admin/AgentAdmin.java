package dev.ferry.agent.admin;

import dev.ferry.link.admin.AdminServer;
import dev.ferry.link.admin.AdminSettings;
import dev.ferry.link.admin.AdminTls;
import dev.ferry.link.admin.Readiness;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Starts the agent's admin listener ({@code --admin-listen}): the token from {@code --admin-token-file},
 * TLS from {@code --admin-tls-cert}/{@code --admin-tls-key} (required off loopback; the agent has no
 * certificate of its own).
 */
public final class AgentAdmin {
    private AgentAdmin() {
    }

    /**
     * @param tlsCert PEM certificate, or null for plain HTTP (loopback only)
     * @param tlsKey PKCS#8 PEM key for {@code tlsCert}
     */
    public static AdminServer start(AdminSettings settings, Path tlsCert, Path tlsKey, Readiness readiness,
            PrometheusMeterRegistry meters, SecureRandom random) {
        return AdminServer.start(settings, random, readiness, meters,
                () -> tlsCert == null ? null : AdminTls.fromPem(tlsCert, tlsKey, "--admin-tls-cert", "--admin-tls-key"),
                "listen on a loopback address (e.g. --admin-listen 127.0.0.1:" + settings.listen().getPort()
                        + "), or give --admin-tls-cert FILE --admin-tls-key FILE");
    }
}
