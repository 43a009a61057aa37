package dev.ferry.relay.frontdoor;

import dev.ferry.relay.gateway.CommandFilter;
import dev.ferry.relay.gateway.CommandKind;
import dev.ferry.relay.gateway.FtpCommand;
import java.util.Locale;

/**
 * A shared-port session once its tunnel is known: another {@code HOST} is out of sequence
 * ({@code 503}, RFC 7151), and a later {@code USER name@domain} or {@code USER domain|name} naming
 * this same tunnel reaches the server as {@code USER name}.
 */
final class RoutedCommands implements CommandFilter {
    static final String HOST_AGAIN = "503 Bad sequence of commands: the site is already chosen (HOST comes first, once).\r\n";

    private final String domain;

    RoutedCommands(String domain) {
        this.domain = domain;
    }

    @Override
    public Decision decide(FtpCommand command) {
        if (command.verb().toUpperCase(Locale.ROOT).equals("HOST")) {
            return CommandFilter.answer(HOST_AGAIN);
        }
        if (command.kind() == CommandKind.USER) {
            return UserRoute.parse(command.argument(), domain::equals)
                    .map(route -> CommandFilter.replace("USER " + route.name() + "\r\n"))
                    .orElse(CommandFilter.forward());
        }
        return CommandFilter.forward();
    }
}
