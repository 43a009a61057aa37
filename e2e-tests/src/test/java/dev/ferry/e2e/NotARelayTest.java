package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.ferry.agent.Agent;
import dev.ferry.agent.AgentConfig;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.link.LinkWindow;
import dev.ferry.link.tls.CertificatePin;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent pointed at something that is not a Ferry relay (here an FTP server, which talks first)
 * keeps retrying, and each failed attempt is one log line naming the address and the cause: no
 * stack trace, no gRPC pipeline dump, nothing from gRPC's or Netty's own loggers.
 */
class NotARelayTest {
    @TempDir
    Path temp;

    EmbeddedUpstream ftpServer;
    LogCapture ferry;
    LogCapture libraries;
    final List<LogRecord> julRecords = new CopyOnWriteArrayList<>();
    final Handler jul = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= java.util.logging.Level.INFO.intValue()) {
                julRecords.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        ftpServer = EmbeddedUpstream.start("127.0.0.6", Files.createDirectories(temp.resolve("home")));
        ferry = LogCapture.of("dev.ferry");
        libraries = LogCapture.of("io"); // io.netty, io.grpc
        java.util.logging.Logger.getLogger("").addHandler(jul);
    }

    @AfterEach
    void stop() {
        java.util.logging.Logger.getLogger("").removeHandler(jul);
        ferry.close();
        libraries.close();
        ftpServer.close();
    }

    @Test
    void aTlsAgentAtAnFtpPortSaysTheAddressIsNotAFerryRelay() throws Exception {
        List<String> lines = attempts(CertificatePin.parse("sha256:" + "ab".repeat(32)), false);
        assertThat(lines).allSatisfy(l -> assertThat(l).contains(relay() + " is not a Ferry relay: TLS handshake failed"));
    }

    @Test
    void aPlaintextAgentAtAnFtpPortSaysTheAddressIsNotAFerryRelay() throws Exception {
        List<String> lines = attempts(null, true);
        assertThat(lines).allSatisfy(l -> assertThat(l).contains(relay() + " is not a Ferry relay"));
    }

    @Test
    void anAgentAtAClosedPortSaysConnectionRefused() throws Exception {
        int closed = FreePorts.find("127.0.0.6");
        List<String> lines = attempts(null, true, closed);
        assertThat(lines).allSatisfy(l -> assertThat(l)
                .contains("cannot link to relay 127.0.0.6:" + closed + ": connection refused"));
    }

    private String relay() {
        return "127.0.0.6:" + ftpServer.address().getPort();
    }

    private List<String> attempts(CertificatePin pin, boolean insecure) throws Exception {
        return attempts(pin, insecure, ftpServer.address().getPort());
    }

    /** Runs an agent at 127.0.0.6:{@code port} for three failed attempts; returns its warnings. */
    private List<String> attempts(CertificatePin pin, boolean insecure, int port) throws Exception {
        Agent agent = new Agent(new AgentConfig("127.0.0.6", port, "ferry_token", pin, insecure,
                new InetSocketAddress("127.0.0.6", 21), 1, LinkWindow.DEFAULT), new SecureRandom());
        CompletableFuture<LinkOutcome> run = CompletableFuture.supplyAsync(agent::run);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> ferry.lines(Level.WARN).size() >= 3);
        } finally {
            agent.close();
            assertThat(run.get(10, TimeUnit.SECONDS).kind()).isEqualTo(LinkOutcome.Kind.STOPPED);
        }
        List<String> warnings = ferry.lines(Level.WARN);
        System.out.println("NotARelayTest: " + warnings.get(0));
        assertThat(warnings).allSatisfy(l -> assertThat(l).doesNotContain("\n").doesNotContain("Channel Pipeline")
                .contains("reconnecting in"));
        assertThat(ferry.withStackTraces(Level.INFO)).as("log events with a stack trace").isZero();
        assertThat(libraries.lines(Level.INFO)).as("Netty's own log lines").isEmpty();
        assertThat(julRecords).as("gRPC/Netty java.util.logging records").isEmpty();
        return warnings;
    }
}
