package dev.ferry.relay.observe;

import dev.ferry.relay.gateway.FtpCommand;
import java.util.Locale;

/** How a data connection was set up: the command that announced it. */
public enum TransferMode {
    PASV, EPSV, PORT, EPRT,
    /** No data-connection command was accepted before the transfer. */
    NONE;

    /** The mode a data-connection command sets up, or null if {@code verb} is none of them. */
    static TransferMode of(FtpCommand command) {
        return switch (command.verb().toUpperCase(Locale.ROOT)) {
            case "PASV" -> PASV;
            case "EPSV" -> command.argument().isEmpty() || command.argument().matches("[12]") ? EPSV : null;
            case "PORT" -> PORT;
            case "EPRT" -> EPRT;
            default -> null;
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
