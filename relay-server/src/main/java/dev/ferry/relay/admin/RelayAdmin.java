package dev.ferry.relay.admin;

import dev.ferry.link.admin.AdminServer;
import dev.ferry.link.admin.AdminTls;
import dev.ferry.link.admin.Readiness;
import dev.ferry.relay.config.RelayConfig;
import dev.ferry.relay.tls.RelayCertificate;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Starts the relay's admin listener ({@code serve --admin-listen}): the token from the data dir,
 * TLS with the relay's own certificate (the agent endpoint's) off loopback, and the tunnel API.
 */
public final class RelayAdmin {
    /** The bearer token's file in the data dir. */
    public static final String TOKEN_FILE = "admin.token";

    private RelayAdmin() {
    }

    /**
     * @param certificate the agent endpoint's certificate; null with {@code --insecure}, which then
     *        allows the admin listener on a loopback address only
     * @param agentPort the port agents dial (for the agent command a new tunnel's answer carries)
     * @param store where tunnels are added and removed (the data dir, or etcd with --registry)
     * @param reload reads the tunnel store now, so an added tunnel is served (and a removed one closed) at once
     */
    public static AdminServer start(RelayConfig config, Readiness readiness, PrometheusMeterRegistry meters,
            RelayCertificate certificate, int agentPort, dev.ferry.relay.registry.RegistryStore store, Runnable reload,
            Function<String, Optional<Integer>> boundPort, Predicate<String> agentOnline, SecureRandom random) {
        AdminServer server = AdminServer.start(config.admin(), random, readiness, meters,
                () -> certificate == null ? null
                        : AdminTls.fromPem(certificate.certFile(), certificate.keyFile(), "--tls-cert", "--tls-key"),
                "listen on a loopback address (e.g. --admin-listen 127.0.0.1:" + config.admin().listen().getPort()
                        + "), or run without --insecure so the relay has a certificate");
        try {
            AgentCommand command = new AgentCommand(config.publicAddress().getHostAddress() + ":" + agentPort,
                    certificate == null ? "--insecure" : "--pin " + certificate.pin());
            server.mount(TunnelsApi.PATH, new TunnelsApi(config.dataDir(), store, server.json(), command, reload, boundPort,
                    agentOnline, random));
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }
}
