package dev.ferry.link.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * {@code /metrics}: the registry's scrape in Prometheus text format 0.0.4, or OpenMetrics when the
 * scraper's {@code Accept} asks for it. Micrometer writes the exposition format; nothing here does.
 */
final class MetricsHandler implements HttpHandler {
    /** Prometheus text format 0.0.4, what Micrometer's registry writes for it. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private final PrometheusMeterRegistry meters;

    MetricsHandler(PrometheusMeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        String contentType = accept != null && accept.contains("application/openmetrics-text")
                ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        meters.scrape(body, contentType);
        JsonReplies.sendBytes(exchange, 200, contentType, body.toByteArray());
    }
}
