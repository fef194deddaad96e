package dev.tokenmetrics.receiver.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CountDownLatch;

/**
 * A journal file whose disk can be made to fail as real disks do: a full disk writes part of a buffer and then
 * refuses ({@code ENOSPC}); a failing one reports an error on fsync ({@code EIO}); and cutting a file short can fail
 * too. Everything else goes to a real file.
 */
final class FailingChannel extends FileChannel {

    /** The faults currently switched on, shared by every channel one {@link #opener} opens. */
    static final class Disk {
        volatile boolean full;
        volatile boolean failingSync;
        volatile boolean failingTruncate;
        /** When set, an fsync counts {@link #syncing} down and then waits for this: a disk that is slow to sync. */
        volatile CountDownLatch slowSync;
        final CountDownLatch syncing = new CountDownLatch(1);
    }

    static Journal.Opener opener(Disk disk) {
        return path -> new FailingChannel(Journal.Opener.FILES.open(path), disk);
    }

    private final FileChannel file;
    private final Disk disk;

    private FailingChannel(FileChannel file, Disk disk) {
        this.file = file;
        this.disk = disk;
    }

    @Override
    public int write(ByteBuffer source, long position) throws IOException {
        if (disk.full) {
            if (source.position() == 0 && source.remaining() > 1) { // as ENOSPC: some of it lands, then a refusal
                ByteBuffer half = source.duplicate();
                half.limit(half.position() + half.remaining() / 2);
                int written = file.write(half, position);
                source.position(source.position() + written);
                return written;
            }
            throw new IOException("No space left on device");
        }
        return file.write(source, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        var slow = disk.slowSync;
        if (slow != null) {
            disk.syncing.countDown();
            try {
                slow.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("fsync interrupted");
            }
        }
        if (disk.failingSync) {
            throw new IOException("Input/output error");
        }
        file.force(metaData);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        if (disk.failingTruncate) {
            throw new IOException("Input/output error");
        }
        file.truncate(size);
        return this;
    }

    @Override
    public int read(ByteBuffer destination) throws IOException {
        return file.read(destination);
    }

    @Override
    public long read(ByteBuffer[] destinations, int offset, int length) throws IOException {
        return file.read(destinations, offset, length);
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        return write(source, file.position());
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
        throw new UnsupportedOperationException("the journal writes one buffer at a time");
    }

    @Override
    public long position() throws IOException {
        return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        file.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return file.size();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return file.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel source, long position, long count) throws IOException {
        return file.transferFrom(source, position, count);
    }

    @Override
    public int read(ByteBuffer destination, long position) throws IOException {
        return file.read(destination, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return file.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        file.close();
    }

}
