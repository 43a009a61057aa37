package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FtpCommandTest {
    private static FtpCommand parse(String line) {
        return FtpCommand.parse(line.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void verbIsTheFirstTokenCaseInsensitive() {
        String[][] cases = {
            {"PASV\r\n", "PASV"}, {"pasv\n", "PASV"}, {"Epsv\r\n", "EPSV"}, {"EPSV 1\r\n", "EPSV"},
            {"EPSV ALL\r\n", "OTHER"}, {"epsv all\n", "OTHER"}, {"  PASV\r\n", "PASV"}, {"PASV", "PASV"},
            {"PASVX\r\n", "OTHER"}, {"LPSV\r\n", "LPSV"}, {"MKD 227 Entering Passive Mode (1,2,3,4,5,6)\r\n", "OTHER"},
            {"AUTH TLS\r\n", "AUTH"}, {"PORT 1,2,3,4,5,6\r\n", "PORT"}, {"\r\n", "OTHER"}, {"", "OTHER"},
        };
        for (String[] c : cases) {
            assertThat(parse(c[0]).kind()).as(c[0]).isEqualTo(CommandKind.valueOf(c[1]));
        }
    }

    @Test
    void telnetSequencesAreSkippedWhenClassifying() {
        assertThat(parse("\u00ff\u00f4\u00ff\u00f2PASV\r\n").kind()).isEqualTo(CommandKind.PASV); // IAC IP IAC DM
        assertThat(parse("\u00ff\u00fb\u0001EPSV\r\n").kind()).isEqualTo(CommandKind.EPSV); // IAC WILL ECHO
        assertThat(parse("\u00ff\u00fe\u0018P\u00ff\u00f1ASV\r\n").kind()).isEqualTo(CommandKind.PASV); // IAC DONT, IAC NOP
        FtpCommand cwd = parse("CWD a\u00ff\u00ffb\r\n"); // IAC IAC is a literal 0xFF
        assertThat(cwd.argument()).isEqualTo("a\u00ffb");
        assertThat(parse("ST\u00ffOR x\r\n").verb()).isEqualTo("STR"); // IAC O: a command byte, dropped
    }

    @Test
    void argumentIsTheRestWithoutLineEnd() {
        FtpCommand c = parse("PORT  198,51,100,10,195,80 \r\n");
        assertThat(c.verb()).isEqualTo("PORT");
        assertThat(c.argument()).isEqualTo("198,51,100,10,195,80");
    }
}
