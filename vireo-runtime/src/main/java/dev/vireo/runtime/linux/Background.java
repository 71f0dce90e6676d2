package dev.vireo.runtime.linux;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Work the runtime overlaps with its own (a cgroup move waiting for an RCU grace period, the
 * group made while vireo-init starts, the seccomp filter while the config is validated), on a
 * virtual thread.
 */
public final class Background {
    private Background() {}

    public static CompletableFuture<Void> start(String name, Runnable work) {
        return CompletableFuture.runAsync(work, task -> Thread.ofVirtual().name(name).start(task));
    }

    /** Starts {@code work} once {@code prior} has succeeded; if it failed, fails the same way without running. */
    public static CompletableFuture<Void> after(CompletableFuture<Void> prior, String name, Runnable work) {
        return prior.thenRunAsync(work, task -> Thread.ofVirtual().name(name).start(task));
    }

    /** Starts {@code work}, which computes a value. */
    public static <T> CompletableFuture<T> supply(String name, Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, task -> Thread.ofVirtual().name(name).start(task));
    }

    /** Waits for {@code work} to end; returns its value, or throws what it threw. */
    public static <T> T join(CompletableFuture<T> work) {
        try {
            return work.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw e;
        }
    }

    /** Waits for {@code work} to end, whatever it did; true if it succeeded. */
    public static boolean settle(CompletableFuture<Void> work) {
        return work.handle((_, failure) -> failure == null).join();
    }
}
