package dev.tokenmetrics.receiver.http;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * A connection's buffers: on the heap, socket reads included, unpooled and without leak tracking. Unpooled, since a
 * pool holds megabytes at idle. On the heap, since a direct buffer here is a JDK DirectByteBuffer (on JDK 17 Netty
 * may use its cleaner-free constructor only with java.nio opened): zeroed, reserved against the direct-memory limit,
 * registered with a Cleaner and cleaned again, for every read and every answer; a heap buffer is a bump in the
 * thread's allocation buffer, young garbage beside more that each export leaves already, and the JDK reads the socket
 * through a direct buffer it keeps per thread. Without leak tracking, since the detector records a stack trace for
 * one buffer in 128 of every connection's. A direct buffer asked for by name stays direct (a report's answer to the
 * launcher, megabytes kept off the small heap).
 */
final class HeapBuffers extends AbstractByteBufAllocator {

    private final ByteBufAllocator unpooled = new UnpooledByteBufAllocator(false, true);

    HeapBuffers() {
        super(false);
    }

    @Override
    public ByteBuf ioBuffer() {
        return heapBuffer();
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity) {
        return heapBuffer(initialCapacity);
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
        return heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return new CompositeByteBuf(this, false, maxNumComponents);
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return new CompositeByteBuf(this, true, maxNumComponents);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return unpooled.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return unpooled.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }
}
