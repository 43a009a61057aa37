package dev.ferry.link.admin;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * Lets a request through only with {@code Authorization: Bearer TOKEN}; otherwise 401 with
 * {@code WWW-Authenticate: Bearer}. The presented value is never logged or echoed.
 */
final class BearerAuth extends Filter {
    private final AdminToken token;
    private final JsonReplies json;

    BearerAuth(AdminToken token, JsonReplies json) {
        this.token = token;
        this.json = json;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (!token.acceptsHeader(header)) {
            exchange.getResponseHeaders().set("WWW-Authenticate",
                    header == null ? "Bearer realm=\"ferry-admin\"" : "Bearer realm=\"ferry-admin\", error=\"invalid_token\"");
            json.error(exchange, 401, null, header == null
                    ? "missing 'Authorization: Bearer TOKEN' (the token is in " + token.file().getFileName() + ")"
                    : "wrong bearer token");
            return;
        }
        chain.doFilter(exchange);
    }

    @Override
    public String description() {
        return "bearer token";
    }
}
