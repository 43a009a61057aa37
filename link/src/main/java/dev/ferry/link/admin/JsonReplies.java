package dev.ferry.link.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes JSON answers (and JSON errors naming the field at fault) on an exchange. */
public final class JsonReplies {
    public static final String CONTENT_TYPE = "application/json; charset=utf-8";
    private final ObjectMapper mapper;

    public JsonReplies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        sendBytes(exchange, status, CONTENT_TYPE, bytes);
    }

    /** {@code {"error": message}} plus {@code "field"} when one field is at fault. */
    public void error(HttpExchange exchange, int status, String field, String message) throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        send(exchange, status, body);
    }

    static void sendBytes(HttpExchange exchange, int status, String contentType, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : (bytes.length == 0 ? -1 : bytes.length));
        if (!head && bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
