package dev.ferry.link.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.proto.v1.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written Data path must be byte-for-byte the generated {@code ferry.v1.Frame}. */
class PipeFrameMarshallerTest {
    private final PipeFrameMarshaller marshaller = new PipeFrameMarshaller(ByteBufAllocator.DEFAULT, 4 << 20);

    private static byte[] drain(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ((io.grpc.Drainable) in).drainTo(out);
        return out.toByteArray();
    }

    @Test
    void dataFramesAreWhatTheGeneratedCodeWritesAndReads() throws Exception {
        Random random = new Random(9);
        for (int size : new int[] {0, 1, 127, 128, 16383, 16384, 262144, 1 << 20}) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            ByteBuf buf = Unpooled.wrappedBuffer(payload);
            byte[] wire = drain(marshaller.stream(new PipeFrame.Data(buf)));
            assertThat(wire).isEqualTo(Frame.newBuilder().setData(ByteString.copyFrom(payload)).build().toByteArray());
            assertThat(marshaller.stream(new PipeFrame.Data(buf)).readAllBytes()).isEqualTo(wire);

            PipeFrame parsed = marshaller.parse(new ByteArrayInputStream(wire));
            assertThat(parsed).isInstanceOf(PipeFrame.Data.class);
            ByteBuf bytes = ((PipeFrame.Data) parsed).bytes();
            byte[] back = new byte[bytes.readableBytes()];
            bytes.readBytes(back);
            bytes.release();
            assertThat(back).isEqualTo(payload);
        }
    }

    @Test
    void controlFramesRoundTrip() throws Exception {
        for (PipeFrame frame : new PipeFrame[] {PipeFrame.FIN, new PipeFrame.Abort("reset by peer"),
                new PipeFrame.Attach(ByteString.copyFromUtf8("0123456789abcdef"))}) {
            byte[] wire = marshaller.stream(frame).readAllBytes();
            assertThat(Frame.parseFrom(wire)).isEqualTo(PipeFrameMarshaller.toProto(frame));
            assertThat(marshaller.parse(new ByteArrayInputStream(wire))).isEqualTo(frame);
        }
    }

    @Test
    void urgentFramesRoundTripAsField5AndStayApartFromData() throws Exception {
        PipeFrame urgent = new PipeFrame.Urgent(ByteString.copyFrom(new byte[] {(byte) 0xf2}));
        byte[] wire = marshaller.stream(urgent).readAllBytes();
        assertThat(wire).containsExactly(0x2a, 1, 0xf2); // field 5, length 1, Telnet DM
        assertThat(Frame.parseFrom(wire).getUrgent().toByteArray()).containsExactly(0xf2);
        PipeFrame parsed = marshaller.parse(new ByteArrayInputStream(wire));
        assertThat(parsed).isEqualTo(urgent).isNotInstanceOf(PipeFrame.Data.class);
    }

    @Test
    void oversizedOrTruncatedDataIsAnErrorNotAnAllocation() {
        byte[] huge = {0x12, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f};
        assertThatThrownBy(() -> marshaller.parse(new ByteArrayInputStream(huge))).hasMessageContaining("RESOURCE_EXHAUSTED");
        byte[] truncated = {0x12, 10, 1, 2, 3};
        assertThatThrownBy(() -> marshaller.parse(new ByteArrayInputStream(truncated))).hasMessageContaining("ended");
        assertThatThrownBy(() -> marshaller.parse(new ByteArrayInputStream(new byte[0]))).hasMessageContaining("empty");
    }
}
