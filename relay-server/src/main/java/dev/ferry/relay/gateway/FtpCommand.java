package dev.ferry.relay.gateway;

import java.nio.charset.StandardCharsets;

/**
 * A client command line as the most lenient server reads it: Telnet IAC sequences skipped, leading
 * spaces ignored, verb case-insensitive, CR LF or bare LF at the end. {@code EPSV ALL} is OTHER.
 *
 * @param kind what the gateway does with it
 * @param argument the text after the verb, without the line end (IAC sequences removed)
 */
public record FtpCommand(CommandKind kind, String verb, String argument) {
    private static final int IAC = 0xff;
    private static final int DM = 0xf2;

    /** Classifies one complete line (with or without its line end). */
    public static FtpCommand parse(byte[] line) {
        String text = withoutTelnet(line).strip();
        int space = text.indexOf(' ');
        String verb = space < 0 ? text : text.substring(0, space);
        String argument = space < 0 ? "" : text.substring(space + 1).strip();
        CommandKind kind = CommandKind.ofVerb(verb);
        if (kind == CommandKind.EPSV && argument.equalsIgnoreCase("ALL")) {
            kind = CommandKind.OTHER; // answered 200, not 229: nothing to rewrite
        }
        return new FtpCommand(kind, verb, argument);
    }

    /**
     * The command as it may be recorded: PASS and ACCT lose their argument (a password or an account
     * secret is never logged, counted or shown); every other command is unchanged.
     */
    public FtpCommand forLog() {
        return isSecret() ? new FtpCommand(kind, verb, "") : this;
    }

    /** PASS or ACCT: the argument is a secret. */
    public boolean isSecret() {
        return verb.equalsIgnoreCase("PASS") || verb.equalsIgnoreCase("ACCT");
    }

    /**
     * The Telnet Synch in a command line: the index of each DM byte (IAC DM, which RFC 959 4.1.3
     * has the client send as TCP urgent data before ABOR, STAT or QUIT) among the Telnet commands that
     * start the line. Only that prefix counts: bytes after the first ordinary character (a verb,
     * a filename) are never a Synch.
     */
    static int[] synchMarks(byte[] line) {
        int[] marks = new int[0];
        int i = 0;
        while (i + 1 < line.length && (line[i] & 0xff) == IAC) {
            int cmd = line[i + 1] & 0xff;
            if (cmd == IAC) {
                break; // an escaped 0xFF is an ordinary character
            }
            if (cmd == DM) {
                marks = java.util.Arrays.copyOf(marks, marks.length + 1);
                marks[marks.length - 1] = i + 1;
            }
            i += cmd >= 251 && cmd <= 254 ? 3 : 2; // WILL, WONT, DO, DONT carry an option byte
        }
        return marks;
    }

    /** The line's characters with Telnet commands (IAC x, IAC WILL/WONT/DO/DONT opt, IAC IAC) removed. */
    static String withoutTelnet(byte[] line) {
        byte[] out = new byte[line.length];
        int n = 0;
        for (int i = 0; i < line.length; i++) {
            int b = line[i] & 0xff;
            if (b == IAC && i + 1 < line.length) {
                int cmd = line[++i] & 0xff;
                if (cmd == IAC) {
                    out[n++] = (byte) IAC;
                } else if (cmd >= 251 && cmd <= 254) {
                    i++; // WILL, WONT, DO, DONT carry an option byte
                }
                continue;
            }
            if (b == IAC) {
                continue;
            }
            out[n++] = (byte) b;
        }
        return new String(out, 0, n, StandardCharsets.ISO_8859_1);
    }
}
