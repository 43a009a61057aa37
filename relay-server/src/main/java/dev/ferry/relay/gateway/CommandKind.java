package dev.ferry.relay.gateway;

import java.util.Locale;
import java.util.Map;

/** The commands the gateway treats specially; everything else is {@link #OTHER}. */
public enum CommandKind {
    PASV, EPSV, LPSV, PORT, EPRT, LPRT, AUTH, CCC, USER, PASS, FEAT, OTHER;

    private static final Map<String, CommandKind> BY_VERB = java.util.Arrays.stream(values())
            .filter(kind -> kind != OTHER)
            .collect(java.util.stream.Collectors.toUnmodifiableMap(Enum::name, kind -> kind));

    static CommandKind ofVerb(String verb) {
        return BY_VERB.getOrDefault(verb.toUpperCase(Locale.ROOT), OTHER);
    }
}
