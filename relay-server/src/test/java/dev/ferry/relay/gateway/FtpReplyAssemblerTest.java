package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.relay.gateway.FtpReplyAssembler.Piece;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FtpReplyAssemblerTest {
    private final FtpReplyAssembler assembler = new FtpReplyAssembler();

    private Piece line(String text) {
        return assembler.next(text.getBytes(StandardCharsets.ISO_8859_1), true, true);
    }

    @Test
    void aSingleLineIsAWholeReply() {
        assertThat(line("220 ready\r\n")).isEqualTo(new Piece(220, true, true));
        assertThat(line("200\r\n")).isEqualTo(new Piece(200, true, true));
        assertThat(line("200\n")).isEqualTo(new Piece(200, true, true));
    }

    @Test
    void aMultiLineReplyEndsAtItsOwnCodeAndSpace() {
        assertThat(line("211-Status\r\n")).isEqualTo(new Piece(211, false, false));
        assertThat(line("227 Entering Passive Mode (10,0,0,1,4,1)\r\n")).isEqualTo(new Piece(211, false, false));
        assertThat(line(" 211 indented\r\n")).isEqualTo(new Piece(211, false, false));
        assertThat(line("211-more\r\n")).isEqualTo(new Piece(211, false, false));
        assertThat(line("211 End\r\n")).isEqualTo(new Piece(211, true, true));
        assertThat(line("150 next\r\n")).isEqualTo(new Piece(150, true, true));
    }

    @Test
    void textOutsideAnyReplyIsStray() {
        assertThat(line("hello\r\n")).isEqualTo(Piece.STRAY);
        assertThat(line("2200 no\r\n")).isEqualTo(Piece.STRAY);
        assertThat(line("22 no\r\n")).isEqualTo(Piece.STRAY);
        assertThat(line("\r\n")).isEqualTo(Piece.STRAY);
    }

    @Test
    void anOverLongLineIsClassifiedByItsFirstPiece() {
        byte[] a = "227 long".getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = "xxxx".getBytes(StandardCharsets.ISO_8859_1);
        byte[] c = "250 not a new line\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(assembler.next(a, true, false)).isEqualTo(new Piece(227, true, false));
        assertThat(assembler.next(b, false, false)).isEqualTo(new Piece(227, true, false));
        assertThat(assembler.next(c, false, true)).isEqualTo(new Piece(227, true, true));
        assertThat(line("213-x\r\n")).isEqualTo(new Piece(213, false, false));
        assertThat(assembler.next(a, true, false)).isEqualTo(new Piece(213, false, false));
        assertThat(assembler.next(c, false, true)).isEqualTo(new Piece(213, false, false));
        assertThat(line("213 end\r\n")).isEqualTo(new Piece(213, true, true));
    }
}
