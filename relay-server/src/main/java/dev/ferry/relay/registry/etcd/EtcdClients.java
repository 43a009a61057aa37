package dev.ferry.relay.registry.etcd;

import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.registry.RegistrySettings;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/** Builds the jetcd client {@link RegistrySettings} describe: endpoints, TLS, user. */
public final class EtcdClients {
    private EtcdClients() {
    }

    public static Client build(RegistrySettings settings) {
        String scheme = settings.tls() ? "https://" : "http://";
        List<URI> endpoints = new ArrayList<>();
        for (HostPort hp : settings.endpoints()) {
            endpoints.add(URI.create(scheme + hp));
        }
        ClientBuilder builder = Client.builder()
                .endpoints(endpoints)
                .connectTimeout(Duration.ofSeconds(3))
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(3))
                // A call fails at once when no member is connected, instead of waiting for one: a change is
                // refused with a message, never applied minutes later.
                .waitForReady(false)
                .retryDelay(200)
                .retryMaxDelay(1000)
                .retryMaxAttempts(2);
        if (settings.tls()) {
            try {
                SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(settings.caCert().toFile());
                if (settings.clientCert() != null) {
                    tls.keyManager(settings.clientCert().toFile(), settings.clientKey().toFile());
                }
                builder.sslContext(tls.build());
            } catch (SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("--registry-cacert/--registry-cert/--registry-key: cannot use them: "
                        + e.getMessage(), e);
            }
        }
        if (settings.user() != null) {
            builder.user(ByteSequence.from(settings.user(), StandardCharsets.UTF_8))
                    .password(ByteSequence.from(settings.password(), StandardCharsets.UTF_8));
        }
        return builder.build();
    }
}
