package dev.ferry.agent.doctor;

import dev.ferry.agent.Agent;
import dev.ferry.agent.AgentConfig;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.doctor.CheckResult;
import dev.ferry.doctor.DoctorTarget;
import dev.ferry.doctor.TunnelDoctor;
import dev.ferry.proto.v1.Welcome;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;

/**
 * {@code ferry-agent --doctor}: links to the relay as this tunnel's agent, learns from the relay's
 * welcome where users reach the tunnel, checks it from there ({@link TunnelDoctor}: login and LIST
 * over PASV, EPSV and PORT through the relay and back through this agent), prints one line per
 * check and stops. The relay keeps one link per tunnel: while the doctor runs, its link replaces
 * that of an agent already running for the tunnel.
 */
public final class AgentDoctor {
    /** The relay's default shared FTP port, for a tunnel without its own. */
    static final int DEFAULT_SHARED_PORT = 21;
    /** How long to wait for the relay's welcome (the agent's own attempts give up after 15 s each). */
    static final Duration LINK_TIMEOUT = Duration.ofSeconds(30);

    /** What the doctor logs in with and how; {@code address} null: the welcome's public address and port. */
    public record Login(String user, String password, boolean tls, X509TrustManager trust, String addressHost,
            int addressPort, Duration timeout) {
    }

    private final AgentConfig config;
    private final Login login;
    private final PrintWriter out;

    public AgentDoctor(AgentConfig config, Login login, PrintWriter out) {
        this.config = config;
        this.login = login;
        this.out = out;
    }

    /** @return {@link TunnelDoctor#EXIT_OK} or {@link TunnelDoctor#EXIT_FAILED} */
    public int run() throws InterruptedException {
        Agent agent = new Agent(config, new SecureRandom());
        CompletableFuture<LinkOutcome> running = CompletableFuture.supplyAsync(agent::run);
        try {
            Optional<Welcome> welcome = awaitWelcome(agent, running);
            String relay = config.relayHost() + ":" + config.relayPort();
            if (welcome.isEmpty()) {
                LinkOutcome ended = running.getNow(null);
                out.println(new CheckResult("link",
                        CheckResult.Status.FAIL, ended != null ? ended.detail()
                                : "relay " + relay + " did not welcome this agent within " + LINK_TIMEOUT.toSeconds() + " s",
                        ended != null ? "check --token and --pin against what 'ferry-relay tunnel add' printed"
                                : "the log lines above say why (relay not reachable, TLS, no answer)").line());
                out.flush();
                return TunnelDoctor.EXIT_FAILED;
            }
            Welcome w = welcome.get();
            out.println(new CheckResult("link", CheckResult.Status.OK, "linked to relay " + relay + " as the agent of "
                    + w.getTunnelName(), null).line());
            TunnelDoctor doctor = new TunnelDoctor(target(w));
            out.println(doctor.heading());
            List<CheckResult> results = doctor.run();
            results.forEach(r -> out.println(r.line()));
            out.flush();
            return TunnelDoctor.exitCode(results);
        } finally {
            agent.close();
            try {
                running.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // stopping anyway
            }
        }
    }

    private DoctorTarget target(Welcome w) {
        boolean ownPort = w.getFtpPort() != 0;
        String host = login.addressHost() != null ? login.addressHost() : w.getPublicAddress();
        int port = login.addressHost() != null ? login.addressPort() : ownPort ? w.getFtpPort() : DEFAULT_SHARED_PORT;
        boolean shared = !ownPort || port != w.getFtpPort();
        return new DoctorTarget(host, port, w.getTunnelName(), shared, login.user(), login.password(), login.tls(),
                login.trust(), login.timeout());
    }

    private static Optional<Welcome> awaitWelcome(Agent agent, CompletableFuture<LinkOutcome> running)
            throws InterruptedException {
        long deadline = System.nanoTime() + LINK_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && !running.isDone()) {
            if (agent.awaitLive(Duration.ofMillis(200))) {
                return agent.welcome();
            }
        }
        return agent.welcome();
    }
}
