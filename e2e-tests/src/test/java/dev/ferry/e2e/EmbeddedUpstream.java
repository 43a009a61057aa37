package dev.ferry.e2e;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.impl.DefaultFtpServer;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.ssl.SslConfiguration;
import org.apache.ftpserver.ssl.SslConfigurationFactory;
import org.apache.ftpserver.usermanager.ClearTextPasswordEncryptor;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.PropertiesUserManager;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/** A real FTP server for tests: Apache FtpServer on a loopback address, user {@code alice}/{@code secret}. */
final class EmbeddedUpstream implements AutoCloseable {
    static final String USER = "alice";
    static final String PASSWORD = "secret";
    static final int MAX_LOGINS = 200;

    private final FtpServer server;
    private final InetSocketAddress address;

    private EmbeddedUpstream(FtpServer server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    static EmbeddedUpstream start(String host, Path home) throws FtpException {
        return start(host, home, listener -> {
        });
    }

    /**
     * The same server offering explicit FTPS (AUTH TLS, PROT P) with a self-signed key made by the
     * JDK's keytool into {@code keyDir}.
     */
    static EmbeddedUpstream startFtps(String host, Path home, Path keyDir) throws Exception {
        keyDir = java.nio.file.Files.createDirectories(keyDir);
        Path keystore = keyDir.resolve("ftps.p12");
        Programs.Result made = Programs.run(60, List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-keypass", PASSWORD, "-alias", "ftp", "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "2"));
        if (made.exit() != 0) {
            throw new IllegalStateException("keytool failed: " + made.err());
        }
        SslConfigurationFactory ssl = new SslConfigurationFactory();
        ssl.setKeystoreFile(keystore.toFile());
        ssl.setKeystoreType("PKCS12");
        ssl.setKeystorePassword(PASSWORD);
        ssl.setKeyPassword(PASSWORD);
        SslConfiguration tls = ssl.createSslConfiguration();
        return start(host, home, listener -> {
            listener.setSslConfiguration(tls);
            listener.setImplicitSsl(false);
        });
    }

    private static EmbeddedUpstream start(String host, Path home, Consumer<ListenerFactory> settings) throws FtpException {
        FtpServerFactory factory = new FtpServerFactory();
        ListenerFactory listener = new ListenerFactory();
        settings.accept(listener);
        listener.setServerAddress(host);
        listener.setPort(0);
        factory.addListener("default", listener.createListener());
        PropertiesUserManager users = new PropertiesUserManager(new ClearTextPasswordEncryptor(), (java.net.URL) null, "admin");
        BaseUser user = new BaseUser();
        user.setName(USER);
        user.setPassword(PASSWORD);
        user.setHomeDirectory(home.toString());
        user.setAuthorities(List.of(new WritePermission(), new ConcurrentLoginPermission(0, 0)));
        users.save(user);
        factory.setUserManager(users);
        // FtpServer allows 10 logins by default; tests hold many sessions at once.
        org.apache.ftpserver.ConnectionConfigFactory connections = new org.apache.ftpserver.ConnectionConfigFactory();
        connections.setMaxLogins(MAX_LOGINS);
        connections.setMaxAnonymousLogins(MAX_LOGINS);
        factory.setConnectionConfig(connections.createConnectionConfig());
        FtpServer server = factory.createServer();
        server.start();
        int port = ((DefaultFtpServer) server).getListener("default").getPort();
        return new EmbeddedUpstream(server, new InetSocketAddress(host, port));
    }

    InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        server.stop();
    }
}
