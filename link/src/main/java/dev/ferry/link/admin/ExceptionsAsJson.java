package dev.ferry.link.admin;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A handler that throws answers 500 with the message as JSON (once, if nothing was sent yet), and is logged. */
final class ExceptionsAsJson extends Filter {
    private static final Logger log = LoggerFactory.getLogger(ExceptionsAsJson.class);
    private final JsonReplies json;

    ExceptionsAsJson(JsonReplies json) {
        this.json = json;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        try {
            chain.doFilter(exchange);
        } catch (RuntimeException e) {
            log.error("admin {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e.toString());
            if (exchange.getResponseCode() == -1) {
                json.error(exchange, 500, null, e.getClass().getSimpleName() + ": " + e.getMessage());
            } else {
                exchange.close();
            }
        }
    }

    @Override
    public String description() {
        return "exceptions as JSON 500";
    }
}
