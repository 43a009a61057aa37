package dev.ferry.relay.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.relay.tunnel.DomainName;
import dev.ferry.relay.tunnel.TlsPolicy;
import dev.ferry.relay.tunnel.Tunnel;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * The body of {@code POST /api/tunnels}, validated as {@code ferry-relay tunnel add} validates its
 * arguments: {@code name} (the domain; an IDN is stored in its ASCII form), {@code ftpPort} (a
 * dedicated port, or absent/null for the shared FTP port only), {@code requireTls},
 * {@code requireTlsReuse}. Every error names its field.
 */
record TunnelRequest(String name, int ftpPort, TlsPolicy tls) {
    private static final Set<String> FIELDS = Set.of("name", "ftpPort", "requireTls", "requireTlsReuse");
    static final int MAX_BODY_BYTES = 16 * 1024;

    /** A request that is not what the API takes; {@code field} is the one at fault, or null for the body as a whole. */
    static final class Invalid extends Exception {
        final String field;

        Invalid(String field, String message) {
            super(message);
            this.field = field;
        }
    }

    static TunnelRequest parse(byte[] body, ObjectMapper mapper) throws Invalid {
        if (body.length > MAX_BODY_BYTES) {
            throw new Invalid(null, "request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(body);
        } catch (IOException e) {
            throw new Invalid(null, "request body is not JSON: " + firstLine(e.getMessage()));
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new Invalid(null, "request body must be a JSON object, e.g. {\"name\": \"alice.ftp.example.net\", \"ftpPort\": 2121}");
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw new Invalid(field, "unknown field '" + field + "'; known fields: name, ftpPort, requireTls, requireTlsReuse");
            }
        }
        JsonNode nameNode = object.get("name");
        if (nameNode == null || nameNode.isNull()) {
            throw new Invalid("name", "'name' is required: the domain users will type, e.g. alice.ftp.example.net");
        }
        if (!nameNode.isTextual()) {
            throw new Invalid("name", "'name' must be a string, got " + nameNode.getNodeType().name().toLowerCase());
        }
        String name = DomainName.normalize(nameNode.asText()).orElse(nameNode.asText());
        try {
            Tunnel.validateName(name);
        } catch (IllegalArgumentException e) {
            throw new Invalid("name", e.getMessage());
        }
        int port = Tunnel.SHARED_ONLY;
        JsonNode portNode = object.get("ftpPort");
        if (portNode != null && !portNode.isNull()) {
            if (!portNode.isIntegralNumber() || !portNode.canConvertToInt()) {
                throw new Invalid("ftpPort", "'ftpPort' must be a whole number 1-65535 (or null for the shared FTP port only), got "
                        + portNode);
            }
            port = portNode.intValue();
            if (port < 1 || port > 65535) {
                throw new Invalid("ftpPort", "'ftpPort' must be 1-65535, got " + port);
            }
        }
        return new TunnelRequest(name, port, new TlsPolicy(flag(object, "requireTls"), flag(object, "requireTlsReuse")));
    }

    private static boolean flag(ObjectNode object, String field) throws Invalid {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new Invalid(field, "'" + field + "' must be true or false, got " + node);
        }
        return node.booleanValue();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
