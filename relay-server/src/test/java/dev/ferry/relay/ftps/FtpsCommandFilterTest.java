package dev.ferry.relay.ftps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.relay.gateway.CommandFilter;
import dev.ferry.relay.gateway.FtpCommand;
import dev.ferry.relay.tunnel.TlsPolicy;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay's answers to AUTH, PBSZ, PROT and, on a tunnel that requires TLS, USER/PASS. */
class FtpsCommandFilterTest {
    @TempDir
    Path dataDir;

    private FtpsContexts contexts() {
        return new FtpsContexts(new FtpsCertificates(dataDir), null, null, "203.0.113.7", new SecureRandom(),
                Duration.ofSeconds(10));
    }

    private static CommandFilter.Decision decide(FtpsCommandFilter filter, String line) {
        return filter.decide(FtpCommand.parse((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static String answer(CommandFilter.Decision decision) {
        assertThat(decision).isInstanceOf(CommandFilter.Answer.class);
        return ((CommandFilter.Answer) decision).reply();
    }

    @Test
    void beforeAuthSecurityCommandsAre503AndLoginPassesUnlessTlsIsRequired() {
        FtpsContexts contexts = contexts();
        FtpsSession open = new FtpsSession(TlsPolicy.NONE);
        FtpsCommandFilter filter = new FtpsCommandFilter(open, () -> contexts.forTunnel("a.example.net"), contexts);
        assertThat(answer(decide(filter, "PBSZ 0"))).isEqualTo("503 PBSZ needs AUTH TLS first.\r\n");
        assertThat(answer(decide(filter, "prot p"))).isEqualTo("503 PROT needs AUTH TLS first.\r\n");
        assertThat(decide(filter, "USER alice")).isSameAs(CommandFilter.forward());
        assertThat(decide(filter, "NOOP")).isSameAs(CommandFilter.forward());
        assertThat(answer(decide(filter, "AUTH GSSAPI"))).isEqualTo(FtpsCommandFilter.AUTH_UNKNOWN);

        FtpsSession strict = new FtpsSession(new TlsPolicy(true, false));
        FtpsCommandFilter strictFilter = new FtpsCommandFilter(strict, () -> contexts.forTunnel("a.example.net"), contexts);
        assertThat(answer(decide(strictFilter, "USER alice"))).isEqualTo(FtpsCommandFilter.TLS_REQUIRED);
        assertThat(answer(decide(strictFilter, "PASS secret"))).isEqualTo(FtpsCommandFilter.TLS_REQUIRED);
    }

    @Test
    void authStartsTlsWithTheTunnelsContextThenPbszAndProtAreAnswered() {
        FtpsContexts contexts = contexts();
        FtpsSession session = new FtpsSession(new TlsPolicy(true, false));
        FtpsCommandFilter filter = new FtpsCommandFilter(session, () -> contexts.forTunnel("a.example.net"), contexts);
        CommandFilter.Decision auth = decide(filter, "AUTH ssl");
        assertThat(auth).isInstanceOf(CommandFilter.StartTls.class);
        assertThat(((CommandFilter.StartTls) auth).reply()).isEqualTo("234 AUTH SSL accepted: start the TLS handshake.\r\n");
        EmbeddedChannel channel = new EmbeddedChannel();
        assertThat(((CommandFilter.StartTls) auth).tls().handler(channel)).isInstanceOf(SslHandler.class);
        assertThat(session.tlsActive()).isTrue();
        assertThat(session.context()).isSameAs(contexts.forTunnel("a.example.net"));
        assertThat(answer(decide(filter, "AUTH TLS"))).isEqualTo(FtpsCommandFilter.AUTH_AGAIN);
        assertThat(answer(decide(filter, "PBSZ 1024"))).isEqualTo("200 PBSZ=0\r\n");
        assertThat(answer(decide(filter, "PROT P"))).isEqualTo(FtpsCommandFilter.PROT_P);
        assertThat(session.protectsData()).isTrue();
        assertThat(answer(decide(filter, "PROT E"))).isEqualTo("536 PROT E is not supported; use PROT P or PROT C.\r\n");
        assertThat(answer(decide(filter, "PROT X"))).isEqualTo(FtpsCommandFilter.PROT_UNKNOWN);
        assertThat(answer(decide(filter, "PROT C"))).isEqualTo(FtpsCommandFilter.PROT_C);
        assertThat(session.protectsData()).isFalse();
        assertThat(decide(filter, "USER alice")).isSameAs(CommandFilter.forward());
        channel.finishAndReleaseAll();
    }
}
