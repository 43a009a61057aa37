package dev.ferry.link.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;

/** {@code /readyz}: every check's answer as JSON; 200 when all pass, 503 when one fails. */
final class ReadinessHandler implements HttpHandler {
    private final Readiness readiness;
    private final JsonReplies json;

    ReadinessHandler(Readiness readiness, JsonReplies json) {
        this.readiness = readiness;
        this.json = json;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Readiness.Report report = readiness.evaluate();
        json.send(exchange, report.ready() ? 200 : 503, report);
    }
}
