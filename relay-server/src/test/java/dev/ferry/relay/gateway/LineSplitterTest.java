package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
    private final List<String> pieces = new ArrayList<>();
    private final LineSplitter splitter = new LineSplitter(8);

    private void feed(String text) {
        ByteBuf in = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        splitter.feed(in, (bytes, first, complete) -> pieces.add(
                (first ? "[" : "") + new String(bytes, StandardCharsets.ISO_8859_1) + (complete ? "]" : "")));
        assertThat(in.isReadable()).isFalse();
        in.release();
    }

    @Test
    void crLfAndBareLfEndLinesWhereverTheInputIsCut() {
        feed("AB\r\nC");
        feed("D\nE");
        feed("\r");
        feed("\n\n");
        assertThat(pieces).containsExactly("[AB\r\n]", "[CD\n]", "[E\r\n]", "[\n]");
        assertThat(splitter.holdsPartial()).isFalse();
    }

    @Test
    void anOverLongLineComesOutInBoundedPieces() {
        feed("0123456789ABCDEFGHIJ");
        feed("K\r\nok\n");
        assertThat(pieces).containsExactly("[01234567", "89ABCDEF", "GHIJK\r\n]", "[ok\n]");
        assertThat(pieces).allSatisfy(p -> assertThat(p.replace("[", "").replace("]", "")).hasSizeLessThanOrEqualTo(8));
    }

    @Test
    void aHeldPartialCanBeFlushedAsAPieceOrTakenRaw() {
        feed("abc");
        splitter.flushPartial((bytes, first, complete) -> pieces.add(new String(bytes, StandardCharsets.ISO_8859_1)
                + first + complete));
        assertThat(pieces).containsExactly("abctruefalse");
        feed("de");
        assertThat(splitter.isMidLine()).isTrue();
        assertThat(new String(splitter.takePartial(), StandardCharsets.ISO_8859_1)).isEqualTo("de");
        assertThat(splitter.holdsPartial()).isFalse();
    }
}
