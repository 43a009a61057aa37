package dev.ferry.agent.nodes;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Turns the relay name into the addresses of its nodes: one address per relay node (the DNS set-up
 * is one name with one A record per node). Injected so tests can give any answer.
 */
@FunctionalInterface
public interface RelayResolver {
    /** Every address of {@code host}, in the resolver's order; never empty (UnknownHostException instead). */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * The system resolver (DNS, {@code /etc/hosts}, or {@code -Djdk.net.hosts.file}), keeping only
     * IPv4 addresses when there are any: a node with both an A and an AAAA record ({@code localhost}
     * is 127.0.0.1 and ::1) must get one link, not two that replace each other on the relay.
     */
    static RelayResolver system() {
        return host -> preferIpv4(Arrays.asList(InetAddress.getAllByName(host)));
    }

    /** The IPv4 addresses among {@code all} without repeats, or all of them if none is IPv4. */
    static List<InetAddress> preferIpv4(List<InetAddress> all) {
        List<InetAddress> v4 = all.stream().filter(a -> a instanceof Inet4Address).toList();
        return new ArrayList<>(new LinkedHashSet<>(v4.isEmpty() ? all : v4));
    }
}
