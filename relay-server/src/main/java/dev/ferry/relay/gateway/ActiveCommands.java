package dev.ferry.relay.gateway;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Reads, checks and writes active-mode commands (PORT, EPRT). A command naming any address but the
 * client's own, or a port below 1024, is refused: that is the FTP bounce attack, and the relay
 * would otherwise dial it on the attacker's behalf.
 */
final class ActiveCommands {
    private ActiveCommands() {
    }

    /** A refusal: the reply the client gets instead. */
    static final class Refused extends Exception {
        private final String reply;

        Refused(String reply) {
            super(reply, null, false, false);
            this.reply = reply;
        }

        String reply() {
            return reply + "\r\n";
        }
    }

    static InetSocketAddress port(String argument, InetAddress client) throws Refused {
        InetSocketAddress target = HostPortCodec.decode(argument)
                .orElseThrow(() -> new Refused("501 Syntax error in PORT parameters."));
        return checked(target.getAddress(), target.getPort(), client, "PORT");
    }

    static InetSocketAddress eprt(String argument, InetAddress client) throws Refused {
        if (argument.length() < 2) {
            throw new Refused("501 Syntax error in EPRT parameters.");
        }
        char d = argument.charAt(0);
        if (d < 33 || d > 126) {
            throw new Refused("501 Syntax error in EPRT parameters.");
        }
        String[] parts = argument.split(Pattern.quote(String.valueOf(d)), -1);
        if (parts.length != 5 || !parts[0].isEmpty() || !parts[4].isEmpty()) {
            throw new Refused("501 Syntax error in EPRT parameters.");
        }
        String proto = parts[1];
        if (!proto.equals("1") && !proto.equals("2")) {
            throw new Refused("522 Network protocol not supported, use (1,2)");
        }
        InetAddress ip;
        try {
            boolean v4 = proto.equals("1");
            if (v4 ? !parts[2].matches("\\d{1,3}(\\.\\d{1,3}){3}") : !parts[2].matches("[0-9A-Fa-f:.]+")) {
                throw new Refused("501 Syntax error in EPRT parameters.");
            }
            ip = InetAddress.getByName(parts[2]);
            if (v4 != (ip instanceof Inet4Address)) {
                throw new Refused("501 Syntax error in EPRT parameters.");
            }
        } catch (UnknownHostException e) {
            throw new Refused("501 Syntax error in EPRT parameters.");
        }
        int port;
        try {
            port = Integer.parseInt(parts[3]);
        } catch (NumberFormatException e) {
            throw new Refused("501 Syntax error in EPRT parameters.");
        }
        if (port < 1 || port > 65535) {
            throw new Refused("501 Syntax error in EPRT parameters.");
        }
        return checked(ip, port, client, "EPRT");
    }

    private static InetSocketAddress checked(InetAddress target, int port, InetAddress client, String verb)
            throws Refused {
        if (!sameHost(target, client)) {
            throw new Refused("501 " + verb + " must name your own address; the relay does not connect elsewhere.");
        }
        if (port < 1024) {
            throw new Refused("504 " + verb + " to a port below 1024 is refused.");
        }
        return new InetSocketAddress(client, port);
    }

    private static boolean sameHost(InetAddress a, InetAddress b) {
        return a.equals(b) || (b instanceof Inet6Address v6 && isMappedV4(v6)
                && a.getHostAddress().equals(v4Of(v6).getHostAddress()));
    }

    private static boolean isMappedV4(Inet6Address a) {
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    private static InetAddress v4Of(Inet6Address a) {
        byte[] b = a.getAddress();
        return address(new byte[] {b[12], b[13], b[14], b[15]});
    }

    private static InetAddress address(byte[] ip) {
        try {
            return InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The command the server gets instead: same verb, the agent's listening address. */
    static String rewrite(CommandKind kind, InetSocketAddress agent) {
        InetAddress ip = agent.getAddress();
        int port = agent.getPort();
        if (kind == CommandKind.PORT && ip instanceof Inet4Address v4) {
            return "PORT " + HostPortCodec.encode(v4, port) + "\r\n";
        }
        return "EPRT |" + (ip instanceof Inet4Address ? "1" : "2") + "|" + ip.getHostAddress() + "|" + port + "|\r\n";
    }
}
