package dev.ferry.relay.gateway;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active mode: a PORT or EPRT naming the client's own address and a port from 1024 is replaced by
 * the address where the agent listens beside the server (asked of the session, asynchronously);
 * anything else is answered here and never reaches the server (the FTP bounce attack).
 */
final class ActiveModeFilter implements CommandFilter {
    static final String NOT_PREPARED = "425 Can't open data connection: the relay could not prepare active mode.\r\n";
    private static final Logger log = LoggerFactory.getLogger(ActiveModeFilter.class);

    private final DataEndpoints endpoints;
    private final InetAddress client;

    ActiveModeFilter(DataEndpoints endpoints, InetAddress client) {
        this.endpoints = endpoints;
        this.client = client;
    }

    @Override
    public Decision decide(FtpCommand command) {
        if (command.kind() != CommandKind.PORT && command.kind() != CommandKind.EPRT) {
            return CommandFilter.forward();
        }
        InetSocketAddress target;
        try {
            target = command.kind() == CommandKind.PORT
                    ? ActiveCommands.port(command.argument(), client)
                    : ActiveCommands.eprt(command.argument(), client);
        } catch (ActiveCommands.Refused refused) {
            log.warn("gateway: refused {} {} from {}", command.verb(), command.argument(), client.getHostAddress());
            return CommandFilter.answer(refused.reply());
        }
        try {
            return CommandFilter.later(endpoints.prepareActive(target).handle((agent, error) -> {
                if (error != null || agent == null) {
                    log.warn("gateway: active mode for {} failed: {}", target, String.valueOf(error));
                    return CommandFilter.answer(NOT_PREPARED);
                }
                return CommandFilter.replace(ActiveCommands.rewrite(command.kind(), agent));
            }));
        } catch (RuntimeException e) {
            log.warn("gateway: active mode for {} failed", target, e);
            return CommandFilter.answer(NOT_PREPARED);
        }
    }
}
