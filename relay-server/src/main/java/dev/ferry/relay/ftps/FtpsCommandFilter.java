package dev.ferry.relay.ftps;

import dev.ferry.relay.gateway.CommandFilter;
import dev.ferry.relay.gateway.CommandKind;
import dev.ferry.relay.gateway.FtpCommand;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The relay's side of RFC 4217 on a control connection: answers {@code AUTH}, {@code PBSZ} and
 * {@code PROT} itself (the FTP server behind never sees them) and, when the tunnel requires it,
 * refuses {@code USER}/{@code PASS} before TLS. {@code CCC} stays refused by the gateway.
 */
public final class FtpsCommandFilter implements CommandFilter {
    static final String AUTH_OK = "234 AUTH %s accepted: start the TLS handshake.\r\n";
    static final String AUTH_AGAIN = "503 TLS is already on for this connection.\r\n";
    static final String AUTH_UNKNOWN = "504 AUTH mechanism not supported; use AUTH TLS.\r\n";
    static final String NEEDS_AUTH = "503 %s needs AUTH TLS first.\r\n";
    static final String PBSZ_OK = "200 PBSZ=0\r\n";
    static final String PROT_P = "200 PROT P: data connections are protected by TLS.\r\n";
    static final String PROT_C = "200 PROT C: data connections are in the clear.\r\n";
    static final String PROT_UNSUPPORTED = "536 PROT %s is not supported; use PROT P or PROT C.\r\n";
    static final String PROT_UNKNOWN = "504 PROT takes P or C.\r\n";
    static final String TLS_REQUIRED = "530 This server requires TLS: send AUTH TLS before logging in.\r\n";

    private final FtpsSession session;
    private final Supplier<SslContext> context;
    private final FtpsContexts contexts;

    /** @param context the tunnel's TLS context, asked for when the client sends AUTH */
    public FtpsCommandFilter(FtpsSession session, Supplier<SslContext> context, FtpsContexts contexts) {
        this.session = Objects.requireNonNull(session, "session");
        this.context = Objects.requireNonNull(context, "context");
        this.contexts = Objects.requireNonNull(contexts, "contexts");
    }

    @Override
    public Decision decide(FtpCommand command) {
        if (command.kind() == CommandKind.AUTH) {
            return auth(command.argument());
        }
        if (command.kind() == CommandKind.USER || command.kind() == CommandKind.PASS) {
            return session.policy().requireTls() && !session.tlsActive()
                    ? CommandFilter.answer(TLS_REQUIRED) : CommandFilter.forward();
        }
        String verb = command.verb().toUpperCase(Locale.ROOT);
        if (verb.equals("PBSZ")) {
            if (!session.tlsActive()) {
                return CommandFilter.answer(NEEDS_AUTH.formatted("PBSZ"));
            }
            session.bufferSizeSet();
            return CommandFilter.answer(PBSZ_OK);
        }
        if (verb.equals("PROT")) {
            return prot(command.argument());
        }
        return CommandFilter.forward();
    }

    private Decision auth(String argument) {
        if (session.tlsActive()) {
            return CommandFilter.answer(AUTH_AGAIN);
        }
        String mechanism = argument.toUpperCase(Locale.ROOT);
        if (!mechanism.equals("TLS") && !mechanism.equals("SSL") && !mechanism.equals("TLS-C")
                && !mechanism.equals("TLS-P")) {
            return CommandFilter.answer(AUTH_UNKNOWN);
        }
        SslContext tunnelContext = context.get();
        return CommandFilter.startTls(AUTH_OK.formatted(mechanism), channel -> {
            SslHandler handler = contexts.serverHandler(tunnelContext, channel.alloc());
            session.tlsStarted(tunnelContext, handler);
            if (mechanism.equals("TLS-P")) {
                session.protectData(true); // RFC 2228 draft: TLS-P protects data too
            }
            return handler;
        });
    }

    private Decision prot(String argument) {
        if (!session.tlsActive()) {
            return CommandFilter.answer(NEEDS_AUTH.formatted("PROT"));
        }
        return switch (argument.toUpperCase(Locale.ROOT)) {
            case "P" -> {
                session.protectData(true);
                yield CommandFilter.answer(PROT_P);
            }
            case "C" -> {
                session.protectData(false);
                yield CommandFilter.answer(PROT_C);
            }
            case "S", "E" -> CommandFilter.answer(PROT_UNSUPPORTED.formatted(argument.toUpperCase(Locale.ROOT)));
            default -> CommandFilter.answer(PROT_UNKNOWN);
        };
    }
}
