package dev.vireo.image.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A shared/exclusive lock on a store, held across processes with fcntl locks on a lock file
 * and across the threads of one JVM with a read-write lock (fcntl locks belong to the
 * process, so threads must share one). Commands that add content hold it shared for their
 * whole duration; garbage collection holds it exclusive, so it never sees a half-done command.
 * A process killed while holding it releases it with its descriptors.
 */
public final class StoreLock {
    private static final Map<Path, StoreLock> LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final ReentrantReadWriteLock threads = new ReentrantReadWriteLock();
    private FileChannel channel;
    private FileLock processLock;
    private int holders;

    private StoreLock(Path file) {
        this.file = file;
    }

    /** The one lock object of this JVM for {@code file}. */
    public static StoreLock of(Path file) {
        return LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), StoreLock::new);
    }

    /** A held lock; closing it releases it. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    public Held shared() {
        threads.readLock().lock();
        try {
            acquire(true);
        } catch (RuntimeException e) {
            threads.readLock().unlock();
            throw e;
        }
        return () -> {
            release();
            threads.readLock().unlock();
        };
    }

    public Held exclusive() {
        threads.writeLock().lock();
        try {
            acquire(false);
        } catch (RuntimeException e) {
            threads.writeLock().unlock();
            throw e;
        }
        return () -> {
            release();
            threads.writeLock().unlock();
        };
    }

    /** The exclusive lock if no one holds the store now, else empty; never waits. */
    public java.util.Optional<Held> tryExclusive() {
        if (!threads.writeLock().tryLock()) return java.util.Optional.empty();
        synchronized (this) {
            if (holders == 0) {
                try {
                    channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
                    processLock = channel.tryLock(0, Long.MAX_VALUE, false);
                } catch (IOException e) {
                    closeChannel();
                    threads.writeLock().unlock();
                    throw new UncheckedIOException("cannot lock " + file, e);
                }
                if (processLock == null) {
                    closeChannel();
                    threads.writeLock().unlock();
                    return java.util.Optional.empty();
                }
            }
            holders++;
        }
        return java.util.Optional.of(() -> {
            release();
            threads.writeLock().unlock();
        });
    }

    private synchronized void acquire(boolean shared) {
        // A write-lock holder re-entering with shared() already owns the process lock exclusively.
        if (holders++ > 0) return;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            processLock = channel.lock(0, Long.MAX_VALUE, shared);
        } catch (IOException e) {
            holders--;
            closeChannel();
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    private synchronized void release() {
        if (--holders > 0) return;
        try {
            if (processLock != null) processLock.release();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unlock " + file, e);
        } finally {
            processLock = null;
            closeChannel();
        }
    }

    private void closeChannel() {
        try {
            if (channel != null) channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        } finally {
            channel = null;
        }
    }
}
