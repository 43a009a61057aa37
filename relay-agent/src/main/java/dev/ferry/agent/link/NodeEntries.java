package dev.ferry.agent.link;

import dev.ferry.proto.v1.NodeList;
import dev.ferry.proto.v1.RelayNodeEntry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A relay's NodeList as agent endpoints to link to: the serving nodes, with a usable address literal. */
public final class NodeEntries {
    private static final Logger log = LoggerFactory.getLogger(NodeEntries.class);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private NodeEntries() {
    }

    private static boolean isIpv4(String host) {
        if (!IPV4.matcher(host).matches()) {
            return false;
        }
        for (String octet : host.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * The agent endpoints of the serving nodes in {@code list}. An entry whose host is not an address
     * literal or whose port is out of range is left out with a warning naming {@code relay} (no name
     * lookup happens here: this runs on the link's event loop).
     */
    public static List<InetSocketAddress> serving(NodeList list, String relay) {
        List<InetSocketAddress> nodes = new ArrayList<>();
        for (RelayNodeEntry e : list.getNodesList()) {
            if (e.getDraining()) {
                continue;
            }
            String host = e.getAgentHost();
            boolean literal = isIpv4(host) || (host.contains(":") && IPV6.matcher(host).matches());
            if (!literal || e.getAgentPort() < 1 || e.getAgentPort() > 65535) {
                log.warn("relay {} lists node {} at '{}:{}', which is not an address and port: ignored", relay,
                        e.getId(), host, e.getAgentPort());
                continue;
            }
            try {
                nodes.add(new InetSocketAddress(InetAddress.getByName(host), e.getAgentPort()));
            } catch (UnknownHostException ex) {
                log.warn("relay {} lists node {} at '{}', which is not an address: ignored", relay, e.getId(), host);
            }
        }
        return nodes;
    }
}
