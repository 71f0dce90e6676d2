package dev.vireo.sys;

import java.util.concurrent.atomic.AtomicBoolean;

/** An owned file descriptor, closed once however often {@link #close()} is called. */
public final class Fd implements AutoCloseable {
    private final int value;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Fd(int value) {
        if (value < 0) throw new IllegalArgumentException("not a file descriptor: " + value);
        this.value = value;
    }

    /** Takes ownership of a descriptor number returned by a call. */
    public static Fd own(int value) {
        return new Fd(value);
    }

    public int value() {
        return value;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) FileIo.close(value);
    }

    @Override
    public String toString() {
        return "fd " + value;
    }
}
