package dev.ferry.relay.frontdoor;

import dev.ferry.relay.tunnel.DomainName;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The tunnel a {@code USER} argument names, for clients that cannot send {@code HOST}:
 * {@code name@domain} (split at the last {@code @}, so a user name may itself contain one) or
 * {@code domain|name}. A suffix or prefix counts only when it is a registered domain, so
 * {@code USER bob@example.com} on a site whose users log in with e-mail addresses still passes
 * whole once the site is known.
 *
 * @param name the user name the FTP server is sent
 * @param domain the tunnel, in stored form
 */
public record UserRoute(String name, String domain) {

    /** The route in {@code argument}, given which stored domain names are registered. */
    public static Optional<UserRoute> parse(String argument, Predicate<String> registered) {
        int at = argument.lastIndexOf('@');
        if (at > 0 && at < argument.length() - 1) {
            Optional<String> domain = DomainName.normalize(argument.substring(at + 1)).filter(registered);
            if (domain.isPresent()) {
                return Optional.of(new UserRoute(argument.substring(0, at), domain.get()));
            }
        }
        int bar = argument.indexOf('|');
        if (bar > 0 && bar < argument.length() - 1) {
            Optional<String> domain = DomainName.normalize(argument.substring(0, bar)).filter(registered);
            if (domain.isPresent()) {
                return Optional.of(new UserRoute(argument.substring(bar + 1), domain.get()));
            }
        }
        return Optional.empty();
    }
}
