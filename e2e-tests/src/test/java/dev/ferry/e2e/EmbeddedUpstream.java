package dev.ferry.e2e;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.impl.DefaultFtpServer;
import org.apache.ftpserver.listener.ListenerFactory;
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
        FtpServerFactory factory = new FtpServerFactory();
        ListenerFactory listener = new ListenerFactory();
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
