package dev.vireo.sys;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadsTest {

    @Test
    void aBlockedSignalSentToAThreadStaysPendingUntilConsumed() throws Exception {
        int signal = Threads.firstRealtimeSignal();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch sent = new CountDownLatch(1);
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        CompletableFuture<boolean[]> observed = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                Threads.block(signal);
                long mask = Threads.blockedMask();
                tid.complete(Threads.currentTid());
                blocked.countDown();
                sent.await();
                boolean pending = Threads.isPending(signal);
                boolean consumed = Threads.consumePending(signal);
                boolean pendingAfter = Threads.isPending(signal);
                boolean consumedAgain = Threads.consumePending(signal);
                observed.complete(new boolean[] {(mask & (1L << (signal - 1))) != 0, pending, consumed,
                        pendingAfter, consumedAgain});
            } catch (Throwable t) {
                observed.completeExceptionally(t);
            }
        });
        blocked.await();
        Threads.signal(tid.get(), signal);
        sent.countDown();
        boolean[] seen = observed.get();
        thread.join();
        assertTrue(seen[0], "the blocked mask includes the signal");
        assertTrue(seen[1], "the signal is pending after tgkill");
        assertTrue(seen[2], "sigtimedwait consumed it");
        assertFalse(seen[3], "nothing is pending afterwards");
        assertFalse(seen[4], "a second consume finds nothing");
    }
}
