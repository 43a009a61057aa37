package dev.ferry.relay.gateway;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/** Heap buffers that remember themselves, so a test can prove every one was released. */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    <T extends ByteBuf> T track(T buf) {
        if (buf.maxCapacity() > 0) { // the shared empty buffer is never released
            allocated.add(buf);
        }
        return buf;
    }

    /** How many buffers handed out (or tracked) are still unreleased. */
    long unreleased() {
        return allocated.stream().filter(b -> b.refCnt() > 0).count();
    }
}
