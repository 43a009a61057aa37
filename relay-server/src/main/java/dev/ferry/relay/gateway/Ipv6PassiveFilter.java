package dev.ferry.relay.gateway;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * PASV from a client connected over IPv6 is answered here: a 227 can only name an IPv4 address,
 * and the relay's passive listeners admit only the control connection's address, so no answer
 * could work. The reply tells the client to use EPSV, which every IPv6-capable client falls back to.
 */
final class Ipv6PassiveFilter implements CommandFilter {
    static final String USE_EPSV = "502 PASV is not available over IPv6 (a 227 can only name an IPv4 address); use EPSV.\r\n";

    private final boolean ipv6;

    Ipv6PassiveFilter(InetAddress client) {
        this.ipv6 = client instanceof Inet6Address;
    }

    @Override
    public Decision decide(FtpCommand command) {
        return ipv6 && command.kind() == CommandKind.PASV ? CommandFilter.answer(USE_EPSV) : CommandFilter.forward();
    }
}
