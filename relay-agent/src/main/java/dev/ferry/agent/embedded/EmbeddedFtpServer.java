package dev.ferry.agent.embedded;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.impl.DefaultFtpServer;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.PropertiesUserManager;
import org.apache.ftpserver.usermanager.impl.WritePermission;
import org.apache.ftpserver.usermanager.ClearTextPasswordEncryptor;

/**
 * The agent's own FTP server (Apache FtpServer), for people who have none: shares one folder on
 * loopback only. Anonymous users may read; the optional login may also write.
 */
public final class EmbeddedFtpServer implements AutoCloseable {
    private final FtpServer server;
    private final int port;

    private EmbeddedFtpServer(FtpServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * @param login {@code USER:PASSWORD} of a user who may also write, or null for read-only sharing
     */
    public static EmbeddedFtpServer start(Path dir, String login) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--serve-dir " + dir + " is not a directory");
        }
        FtpServerFactory factory = new FtpServerFactory();
        ListenerFactory listener = new ListenerFactory();
        listener.setServerAddress("127.0.0.1");
        listener.setPort(0);
        factory.addListener("default", listener.createListener());
        PropertiesUserManager users = new PropertiesUserManager(new ClearTextPasswordEncryptor(), (java.net.URL) null,
                "admin");
        try {
            users.save(user("anonymous", null, dir, false));
            if (login != null) {
                int colon = login.indexOf(':');
                if (colon < 1 || colon == login.length() - 1) {
                    throw new IllegalArgumentException("--serve-login must look like USER:PASSWORD");
                }
                users.save(user(login.substring(0, colon), login.substring(colon + 1), dir, true));
            }
        } catch (FtpException e) {
            throw new IllegalStateException("cannot set up the embedded FTP server's users", e);
        }
        factory.setUserManager(users);
        FtpServer server = factory.createServer();
        try {
            server.start();
        } catch (FtpException e) {
            throw new IllegalStateException("cannot start the embedded FTP server: " + e.getMessage(), e);
        }
        int port = ((DefaultFtpServer) server).getListener("default").getPort();
        return new EmbeddedFtpServer(server, port);
    }

    private static BaseUser user(String name, String password, Path home, boolean write) {
        BaseUser user = new BaseUser();
        user.setName(name);
        user.setPassword(password);
        user.setHomeDirectory(home.toAbsolutePath().toString());
        List<Authority> authorities = new ArrayList<>();
        authorities.add(new ConcurrentLoginPermission(0, 0));
        if (write) {
            authorities.add(new WritePermission());
        }
        user.setAuthorities(authorities);
        user.setMaxIdleTime(600);
        return user;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Override
    public void close() {
        server.stop();
    }
}
