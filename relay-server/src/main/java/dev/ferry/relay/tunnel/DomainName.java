package dev.ferry.relay.tunnel;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;

/**
 * A domain as a user or client types it, reduced to the form tunnel names are stored in: an IDN in
 * its ASCII form ({@link IDN#toASCII}), lower case, without a trailing dot. {@code Alice.Example.NET.}
 * and {@code alice.example.net} are the same tunnel; so are {@code bücher.example} and
 * {@code xn--bcher-kva.example}.
 */
public final class DomainName {
    private DomainName() {
    }

    /** The stored form of {@code typed}, or empty if it cannot be a tunnel name. */
    public static Optional<String> normalize(String typed) {
        if (typed == null) {
            return Optional.empty();
        }
        String text = typed.strip();
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isEmpty() || text.length() > 253) {
            return Optional.empty();
        }
        String ascii;
        try {
            ascii = IDN.toASCII(text, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        try {
            Tunnel.validateName(ascii);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(ascii);
    }
}
