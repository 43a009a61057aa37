package dev.ferry.agent;

import dev.ferry.agent.upstream.UpstreamTls;
import dev.ferry.link.LinkWindow;
import dev.ferry.link.tls.CertificatePin;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What an agent is told, validated once.
 *
 * @param relayHost the relay's agent endpoint host
 * @param pin the relay certificate's pin, or null with {@code insecure}
 * @param upstream the FTP server the agent connects to (every data connection goes to its host too)
 * @param linkWindow the flow-control window the agent grants each stream of the link (governs uploads)
 * @param upstreamTls FTPS toward the upstream server ({@code --upstream-tls}), or null for plain FTP
 */
public record AgentConfig(String relayHost, int relayPort, String token, CertificatePin pin, boolean insecure,
        InetSocketAddress upstream, int eventLoopThreads, LinkWindow linkWindow, UpstreamTls upstreamTls) {

    /** An agent that speaks plain FTP to its server. */
    public AgentConfig(String relayHost, int relayPort, String token, CertificatePin pin, boolean insecure,
            InetSocketAddress upstream, int eventLoopThreads, LinkWindow linkWindow) {
        this(relayHost, relayPort, token, pin, insecure, upstream, eventLoopThreads, linkWindow, null);
    }

    public AgentConfig {
        Objects.requireNonNull(relayHost, "--relay");
        Objects.requireNonNull(upstream, "--upstream");
        Objects.requireNonNull(linkWindow, "--link-window");
        if (relayPort < 1 || relayPort > 65535) {
            throw new IllegalArgumentException("--relay port must be 1-65535, got " + relayPort);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("--token must not be empty");
        }
        if (insecure == (pin != null)) {
            throw new IllegalArgumentException(insecure
                    ? "--pin and --insecure cannot be used together"
                    : "one of --pin sha256:HEX (TLS, as printed by 'ferry-relay tunnel add') or --insecure is required");
        }
        if (upstream.getPort() < 1) {
            throw new IllegalArgumentException("--upstream port must be 1-65535, got " + upstream.getPort());
        }
    }

    public AgentConfig withUpstream(InetSocketAddress newUpstream) {
        return new AgentConfig(relayHost, relayPort, token, pin, insecure, newUpstream, eventLoopThreads, linkWindow,
                upstreamTls);
    }
}
