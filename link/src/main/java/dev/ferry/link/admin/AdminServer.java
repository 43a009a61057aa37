package dev.ferry.link.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP listener of a relay or an agent, on the JDK's {@code HttpServer} (plain, on a
 * loopback address only) or {@code HttpsServer}. Every path needs the bearer token except
 * {@code /livez}, which says only that the process answers. Built in:
 * <ul>
 * <li>{@code /livez}: 200 {@code {"status":"live"}}, no token;</li>
 * <li>{@code /readyz}: the {@link Readiness} report as JSON, 200 when ready, 503 when not;</li>
 * <li>{@code /metrics}: the Prometheus registry's scrape.</li>
 * </ul>
 * The program adds its own paths with {@link #mount}, at any time; {@code /} (the status page) is
 * a 404 until something is mounted there.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final Set<String> BUILT_IN = Set.of("/livez", "/readyz", "/metrics");

    private final HttpServer server;
    private final ExecutorService executor;
    private final BearerAuth auth;
    private final JsonReplies json;
    private final Map<String, HttpContext> mounted = new ConcurrentHashMap<>();
    private volatile HttpHandler root;
    private final boolean tls;

    private AdminServer(HttpServer server, ExecutorService executor, AdminToken token, JsonReplies json, boolean tls) {
        this.server = server;
        this.executor = executor;
        this.json = json;
        this.auth = new BearerAuth(token, json);
        this.tls = tls;
    }

    /**
     * Starts listening, with the token from {@link AdminSettings#tokenFile()} (generated there first if
     * absent; not when the start is refused for want of TLS).
     *
     * @param tlsContext the TLS identity, asked for only when {@link AdminSettings#tls()}; may return null
     *        when the program has none, and then a non-loopback address is refused with {@code noTlsHint}
     * @param noTlsHint what to do instead, naming the flags (e.g. "listen on 127.0.0.1, or give --admin-tls-cert")
     * @throws IllegalArgumentException for plain HTTP off loopback, naming {@code --admin-listen}
     * @throws IllegalStateException when the port cannot be bound, naming {@code --admin-listen}
     */
    public static AdminServer start(AdminSettings settings, SecureRandom random, Readiness readiness,
            PrometheusMeterRegistry meters, Supplier<SSLContext> tlsContext, String noTlsHint) {
        InetSocketAddress listen = settings.listen();
        String flag = "--admin-listen " + listen.getAddress().getHostAddress() + ":" + listen.getPort();
        SSLContext context = null;
        if (settings.tls()) {
            context = tlsContext.get();
            if (context == null) {
                throw new IllegalArgumentException(flag + ": " + (listen.getAddress().isLoopbackAddress()
                        ? "TLS was asked for (--admin-tls) but there is no certificate; "
                        : "not a loopback address, so plain HTTP is refused and TLS needs a certificate; ") + noTlsHint);
            }
        }
        AdminToken token = AdminToken.loadOrCreate(settings.tokenFile(), random);
        HttpServer server;
        try {
            if (context != null) {
                HttpsServer https = HttpsServer.create(listen, 64);
                https.setHttpsConfigurator(new HttpsConfigurator(context));
                server = https;
            } else {
                server = HttpServer.create(listen, 64);
            }
        } catch (BindException e) {
            throw new IllegalStateException("cannot listen on " + flag + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + flag + ": " + e.getMessage(), e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ferry-admin-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        JsonReplies json = new JsonReplies(new ObjectMapper());
        AdminServer admin = new AdminServer(server, executor, token, json, context != null);
        server.createContext("/livez", exchange -> json.send(exchange, 200, Map.of("status", "live")));
        admin.protect(server.createContext("/readyz", new ReadinessHandler(readiness, json)));
        admin.protect(server.createContext("/metrics", new MetricsHandler(meters)));
        admin.protect(server.createContext("/", admin::serveRoot));
        server.start();
        log.info("admin listener on {}://{}:{} (bearer token in {})", context != null ? "https" : "http",
                listen.getAddress().getHostAddress(), admin.port(), token.file());
        return admin;
    }

    private void protect(HttpContext context) {
        context.getFilters().add(new ExceptionsAsJson(json));
        context.getFilters().add(auth);
    }

    private void serveRoot(HttpExchange exchange) throws IOException {
        HttpHandler handler = root;
        if (handler != null && "/".equals(exchange.getRequestURI().getPath())) {
            handler.handle(exchange);
        } else {
            json.error(exchange, 404, null, "no such path: " + exchange.getRequestURI().getPath());
        }
    }

    /**
     * Serves {@code path} (and everything under it) with {@code handler}, behind the bearer token;
     * {@code "/"} is the status page and matches only itself. Replaces what was mounted there.
     */
    public void mount(String path, HttpHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if ("/".equals(path)) {
            root = handler;
            return;
        }
        if (path == null || !path.startsWith("/") || BUILT_IN.contains(path)) {
            throw new IllegalArgumentException("cannot mount an admin handler at " + path);
        }
        HttpContext previous = mounted.remove(path);
        if (previous != null) {
            server.removeContext(previous);
        }
        HttpContext context = server.createContext(path, handler);
        protect(context);
        mounted.put(path, context);
    }

    /** JSON answers for handlers mounted by the program. */
    public JsonReplies json() {
        return json;
    }

    /** The port listened on (the real one when asked for 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    public boolean tls() {
        return tls;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
