package dev.ferry.relay.ftps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SNI API the shared port and implicit FTPS use: which certificate, which name, and refusals. */
class SniTlsTest {
    @TempDir
    Path dataDir;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private Channel listener;
    private final CompletableFuture<FtpsContexts.ControlTls> outcome = new CompletableFuture<>();

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private int serve(FtpsContexts contexts, boolean refuseOtherNames) {
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        contexts.startTls(ch, "alice.example.net"::equals, refuseOtherNames).addListener(f -> {
                            if (f.isSuccess()) {
                                outcome.complete((FtpsContexts.ControlTls) f.getNow());
                            } else {
                                outcome.completeExceptionally(f.cause());
                            }
                        });
                        ch.eventLoop().execute(ch::read);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    private static X509Certificate handshake(int port, String sni) throws Exception {
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(sni)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private FtpsContexts contexts() {
        return new FtpsContexts(new FtpsCertificates(dataDir), null, null, "203.0.113.7", new SecureRandom(),
                Duration.ofSeconds(5));
    }

    @Test
    void aTunnelsNameGetsItsCertificateAndIsReported() throws Exception {
        FtpsContexts contexts = contexts();
        X509Certificate cert = handshake(serve(contexts, true), "Alice.Example.Net");
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=alice.example.net");
        FtpsContexts.ControlTls tls = outcome.get(10, TimeUnit.SECONDS);
        assertThat(tls.serverName()).contains("alice.example.net");
        assertThat(tls.context()).isSameAs(contexts.forTunnel("alice.example.net"));
    }

    @Test
    void anotherNameIsRefusedOrServedTheFallbackAsAsked() throws Exception {
        FtpsContexts contexts = contexts();
        int refusing = serve(contexts, true);
        assertThatThrownBy(() -> handshake(refusing, "relay.example.net")).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("unrecognized_name");
        assertThat(outcome).failsWithin(Duration.ofSeconds(10));
    }

    @Test
    void onASharedPortAnotherNameGetsTheFallbackAndCountsAsNoName() throws Exception {
        FtpsContexts contexts = contexts();
        X509Certificate cert = handshake(serve(contexts, false), "relay.example.net");
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=203.0.113.7");
        FtpsContexts.ControlTls tls = outcome.get(10, TimeUnit.SECONDS);
        assertThat(tls.serverName()).isEmpty();
        assertThat(tls.context()).isSameAs(contexts.fallback());
    }
}
