package dev.ferry.relay.gateway;

import java.util.Locale;
import java.util.Map;

/** The commands the gateway treats specially; everything else is {@link #OTHER}. */
public enum CommandKind {
    PASV, EPSV, LPSV, PORT, EPRT, LPRT, AUTH, CCC, USER, PASS, OTHER;

    private static final Map<String, CommandKind> BY_VERB = Map.of(
            "PASV", PASV, "EPSV", EPSV, "LPSV", LPSV, "PORT", PORT, "EPRT", EPRT, "LPRT", LPRT,
            "AUTH", AUTH, "CCC", CCC, "USER", USER, "PASS", PASS);

    static CommandKind ofVerb(String verb) {
        return BY_VERB.getOrDefault(verb.toUpperCase(Locale.ROOT), OTHER);
    }
}
