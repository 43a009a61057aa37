package dev.ferry.relay.registry;

import dev.ferry.relay.config.HostPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where the registry is, validated once; errors name the flag. No endpoints: the data dir. Otherwise
 * etcd ({@code --registry etcd://HOST:PORT[,HOST:PORT...]}), over TLS when {@code --registry-cacert}
 * is given (with a client certificate when {@code --registry-cert}/{@code --registry-key} are), with
 * etcd's user authentication when {@code --registry-user}/{@code --registry-password-file} are.
 *
 * @param endpoints the etcd members, empty for the data dir
 * @param caCert PEM CA bundle the members' certificates are checked against, or null for plaintext
 * @param clientCert PEM client certificate, or null
 * @param clientKey PEM (PKCS#8) key of {@code clientCert}, or null
 * @param user etcd user name, or null
 * @param password etcd password (read from {@code --registry-password-file}), or null
 * @param prefix every key lives under it, e.g. {@code /ferry/}
 */
public record RegistrySettings(List<HostPort> endpoints, Path caCert, Path clientCert, Path clientKey, String user,
        String password, String prefix) {
    public static final String DEFAULT_PREFIX = "/ferry/";
    private static final String SCHEME = "etcd://";

    public RegistrySettings {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
            throw new IllegalArgumentException("registry prefix must start and end with '/', got '" + prefix + "'");
        }
        if (endpoints.isEmpty() && (caCert != null || clientCert != null || user != null)) {
            throw new IllegalArgumentException("--registry-cacert, --registry-cert and --registry-user need "
                    + "--registry etcd://HOST:PORT");
        }
        if ((clientCert == null) != (clientKey == null)) {
            throw new IllegalArgumentException("--registry-cert and --registry-key must be given together");
        }
        if (clientCert != null && caCert == null) {
            throw new IllegalArgumentException("--registry-cert needs --registry-cacert (client certificates need TLS)");
        }
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("--registry-user and --registry-password-file must be given together");
        }
        for (Path file : new Path[] {caCert, clientCert, clientKey}) {
            if (file != null && !Files.isReadable(file)) {
                throw new IllegalArgumentException(flagOf(file, caCert, clientCert) + " " + file
                        + ": no such readable file");
            }
        }
    }

    /** The data dir: no etcd. */
    public static RegistrySettings dataDir() {
        return new RegistrySettings(List.of(), null, null, null, null, null, DEFAULT_PREFIX);
    }

    public boolean isEtcd() {
        return !endpoints.isEmpty();
    }

    public boolean tls() {
        return caCert != null;
    }

    /** For messages: {@code etcd at 127.0.0.11:2379,127.0.0.12:2379}. */
    public String describe() {
        if (!isEtcd()) {
            return "the data dir";
        }
        StringBuilder text = new StringBuilder("etcd at ");
        for (int i = 0; i < endpoints.size(); i++) {
            text.append(i == 0 ? "" : ",").append(endpoints.get(i));
        }
        return text.toString();
    }

    /** {@code etcd://HOST:PORT[,HOST:PORT...]} → endpoints; errors name {@code --registry}. */
    public static List<HostPort> parseEndpoints(String url) {
        if (url == null || !url.startsWith(SCHEME)) {
            throw new IllegalArgumentException("--registry must be etcd://HOST:PORT[,HOST:PORT...], got '" + url + "'");
        }
        List<HostPort> endpoints = new ArrayList<>();
        for (String member : url.substring(SCHEME.length()).split(",", -1)) {
            try {
                HostPort hp = HostPort.parse(member.strip());
                if (hp.port() == 0) {
                    throw new IllegalArgumentException("port 0");
                }
                endpoints.add(hp);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--registry " + url + ": member '" + member
                        + "' is not HOST:PORT (" + e.getMessage() + ")", e);
            }
        }
        return endpoints;
    }

    /** The password in {@code --registry-password-file}: its first line. */
    public static String readPassword(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String line = text.lines().findFirst().orElse("");
            if (line.isEmpty()) {
                throw new IllegalArgumentException("--registry-password-file " + file + " is empty");
            }
            return line;
        } catch (IOException e) {
            throw new IllegalArgumentException("--registry-password-file " + file + ": cannot read it ("
                    + e.getMessage() + ")", e);
        }
    }

    private static String flagOf(Path file, Path caCert, Path clientCert) {
        return file == caCert ? "--registry-cacert" : file == clientCert ? "--registry-cert" : "--registry-key";
    }

    @Override
    public String toString() {
        return describe(); // never the password
    }
}
