package dev.ferry.relay.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ferry.link.admin.JsonReplies;
import dev.ferry.relay.ftps.FtpsCertificates;
import dev.ferry.relay.tls.RelayCertificate;
import dev.ferry.relay.tunnel.AgentToken;
import dev.ferry.relay.tunnel.DomainName;
import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelConflictException;
import dev.ferry.relay.registry.RegistryStore;
import dev.ferry.relay.tunnel.TunnelStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/tunnels}: list ({@code GET}), add ({@code POST}, answering the agent token once) and
 * remove ({@code DELETE /api/tunnels/NAME}) tunnels, through the same {@link TunnelStore} calls as
 * {@code ferry-relay tunnel add/list/remove} (adds under the store's file lock, so the CLI and the API
 * never race), then reloading the running relay's tunnels at once.
 */
final class TunnelsApi implements HttpHandler {
    static final String PATH = "/api/tunnels";
    private static final Logger log = LoggerFactory.getLogger(TunnelsApi.class);

    private final Path dataDir;
    private final RegistryStore store;
    private final JsonReplies json;
    private final AgentCommand agentCommand;
    private final Runnable reload;
    private final Function<String, Optional<Integer>> boundPort;
    private final Predicate<String> agentOnline;
    private final SecureRandom random;

    TunnelsApi(Path dataDir, RegistryStore store, JsonReplies json, AgentCommand agentCommand, Runnable reload,
            Function<String, Optional<Integer>> boundPort, Predicate<String> agentOnline, SecureRandom random) {
        this.dataDir = dataDir;
        this.store = store;
        this.json = json;
        this.agentCommand = agentCommand;
        this.reload = reload;
        this.boundPort = boundPort;
        this.agentOnline = agentOnline;
        this.random = random;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (path.equals(PATH) || path.equals(PATH + "/")) {
            switch (method) {
                case "GET", "HEAD" -> list(exchange);
                case "POST" -> add(exchange);
                default -> notAllowed(exchange, "GET, POST");
            }
        } else if (path.startsWith(PATH + "/") && path.indexOf('/', PATH.length() + 1) < 0) {
            String name = path.substring(PATH.length() + 1);
            switch (method) {
                case "DELETE" -> remove(exchange, name);
                default -> notAllowed(exchange, "DELETE");
            }
        } else {
            json.error(exchange, 404, null, "no such path: " + path);
        }
    }

    private void notAllowed(HttpExchange exchange, String allowed) throws IOException {
        exchange.getResponseHeaders().set("Allow", allowed);
        json.error(exchange, 405, null, exchange.getRequestMethod() + " is not allowed here; use " + allowed);
    }

    private void list(HttpExchange exchange) throws IOException {
        TunnelStore.Snapshot snapshot = store.read();
        ObjectNode body = json.mapper().createObjectNode();
        ArrayNode tunnels = body.putArray("tunnels");
        for (Tunnel t : snapshot.tunnels()) {
            ObjectNode node = tunnels.addObject();
            node.put("name", t.name());
            if (t.hasDedicatedPort()) {
                node.put("ftpPort", t.ftpPort());
                node.put("listening", boundPort.apply(t.name()).isPresent());
            } else {
                node.putNull("ftpPort");
            }
            node.put("requireTls", t.tls().requireTls());
            node.put("requireTlsReuse", t.tls().requireReuse());
            node.put("agentConnected", agentOnline.test(t.name()));
        }
        ArrayNode unreadable = body.putArray("unreadable");
        for (TunnelStore.Unreadable u : snapshot.unreadable()) {
            unreadable.addObject().put("file", u.file().toString()).put("tunnel", u.tunnelName()).put("reason", u.reason());
        }
        json.send(exchange, 200, body);
    }

    private void add(HttpExchange exchange) throws IOException {
        TunnelRequest request;
        try {
            request = TunnelRequest.parse(readBody(exchange), json.mapper());
        } catch (TunnelRequest.Invalid e) {
            json.error(exchange, 400, e.field, e.getMessage());
            return;
        }
        String token = AgentToken.generate(random);
        RelayCertificate[] ftpsCert = new RelayCertificate[1];
        try {
            // As the CLI: the FTPS certificate is written under the store's lock, by the one add that wins the name.
            store.add(new Tunnel(request.name(), request.ftpPort(), AgentToken.sha256Hex(token), request.tls()),
                    () -> ftpsCert[0] = new FtpsCertificates(dataDir).generate(request.name(), request.name(), random));
        } catch (TunnelConflictException e) {
            json.error(exchange, 409, e.getMessage().startsWith("FTP port") ? "ftpPort" : "name", e.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            json.error(exchange, 400, null, e.getMessage());
            return;
        } catch (UncheckedIOException e) {
            json.error(exchange, 500, null, e.getMessage());
            return;
        }
        log.info("admin API: tunnel {} added ({})", request.name(),
                request.ftpPort() == Tunnel.SHARED_ONLY ? "shared FTP port only" : "FTP port " + request.ftpPort());
        reload.run();
        ObjectNode body = json.mapper().createObjectNode();
        body.put("name", request.name());
        if (request.ftpPort() == Tunnel.SHARED_ONLY) {
            body.putNull("ftpPort");
        } else {
            body.put("ftpPort", request.ftpPort());
            body.put("listening", boundPort.apply(request.name()).isPresent());
        }
        body.put("requireTls", request.tls().requireTls());
        body.put("requireTlsReuse", request.tls().requireReuse());
        body.put("ftpsCertificate", ftpsCert[0].pin().toString());
        body.put("token", token);
        body.put("tokenNote", "shown only now; the relay keeps only its hash");
        body.put("agentCommand", agentCommand.forToken(token));
        exchange.getResponseHeaders().set("Location", PATH + "/" + request.name());
        json.send(exchange, 201, body);
    }

    private void remove(HttpExchange exchange, String typed) throws IOException {
        String name = DomainName.normalize(typed).orElse(typed);
        boolean removed;
        try {
            removed = store.remove(name);
            if (removed) {
                new FtpsCertificates(dataDir).remove(name);
            }
        } catch (IllegalArgumentException e) {
            json.error(exchange, 400, "name", e.getMessage());
            return;
        }
        if (!removed) {
            json.error(exchange, 404, "name", "no tunnel named " + name);
            return;
        }
        log.info("admin API: tunnel {} removed", name);
        reload.run();
        ObjectNode body = json.mapper().createObjectNode();
        body.put("removed", name);
        json.send(exchange, 200, body);
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException, TunnelRequest.Invalid {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(TunnelRequest.MAX_BODY_BYTES + 1);
            if (bytes.length > TunnelRequest.MAX_BODY_BYTES) {
                throw new TunnelRequest.Invalid(null, "request body is larger than " + TunnelRequest.MAX_BODY_BYTES + " bytes");
            }
            return bytes;
        }
    }
}
