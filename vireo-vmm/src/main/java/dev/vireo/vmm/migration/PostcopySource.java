package dev.vireo.vmm.migration;

import dev.vireo.vmm.MigrationException;
import dev.vireo.vmm.MigrationMode;
import dev.vireo.vmm.MigrationProgress;
import dev.vireo.vmm.MigrationReport;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.migration.stream.Chunk;
import dev.vireo.vmm.migration.stream.PageEntry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.vireo.vmm.MigrationException.Outcome.LOST_AT_DESTINATION;
import static dev.vireo.vmm.MigrationException.Outcome.SOURCE_RUNNING;

/**
 * The source side of post-copy: pause, send the machine state, and from then on serve pages,
 * each exactly once: a page the destination faulted on first (demand paging) with the unsent
 * pages around it (prepaging), the rest in address order in between (active push). The VM
 * stays paused here with all its memory until the destination says it has every page; if the
 * link drops before, the VM is lost at the destination and this copy is kept for recovery.
 */
final class PostcopySource {
    /** Prepaging window around a faulted page: this many pages after it and before it. */
    static final int PREPAGE_AFTER = 15, PREPAGE_BEFORE = 4;
    /**
     * The push sends a chunk, and looks at the request queue again, once it holds this many wire
     * bytes or pages: a few pages with content, or a long run of zero pages, which cost nothing.
     */
    static final int PUSH_BYTES = 64 << 10, PUSH_PAGES = 4096;
    private static final long READER_ENDED = -1;

    private final SourceVm vm;
    private final Link link;
    private final PageReader reader;
    private final String destination;
    private final MigrationProgress progress;
    private final int total;
    /** Bytes per second the push may use, 0 for no limit. */
    private final long pushBandwidth;
    private final BitSet sent = new BitSet();
    private int sentCount;
    /** The reader's wire bytes when the batch being filled was empty. */
    private long batchStart;
    private final LinkedBlockingQueue<Long> requests = new LinkedBlockingQueue<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    /** Counted down when the destination says it runs, or the reader ends. */
    private final CountDownLatch runningOrEnded = new CountDownLatch(1);
    private volatile long runningAt;
    private volatile Chunk.Running running;
    private volatile boolean allReceived;
    private volatile String failure;
    private long demand, prepaged, pushed;

    PostcopySource(SourceVm vm, Link link, PageReader reader, long pushBandwidth, String destination, MigrationProgress progress) {
        this.vm = vm;
        this.pushBandwidth = pushBandwidth;
        this.link = link;
        this.reader = reader;
        this.destination = destination;
        this.progress = progress;
        this.total = Math.toIntExact(vm.memory().pages());
    }

    MigrationReport run(long start, long handshakeNanos) throws MigrationException {
        vm.pause();
        DowntimeClock downtime = new DowntimeClock(System.nanoTime());
        try {
            progress.update("machine state", 0, -1);
            byte[] state = vm.saveState();
            downtime.mark("state capture");
            link.send(new Chunk.MachineState(state));
            link.sendNow(new Chunk.Complete());
            downtime.mark("state sent");
        } catch (IOException e) {
            // The destination cannot run without this source, so nothing ran there yet: resume.
            vm.resume();
            throw new MigrationException(SOURCE_RUNNING, "the connection to " + destination
                    + " dropped while sending the machine state (" + e.getMessage() + "); the VM keeps running here");
        }
        Thread.ofVirtual().name("postcopy-requests").start(this::readReplies);
        // While the destination restores (the push needs it, the destination's start does not).
        reader.skipUntouched();
        try {
            // Pages pushed while the destination restores would only wait in the socket, and take
            // the CPU its restore needs: the push starts once it runs.
            runningOrEnded.await();
            serve();
            ended.await();
        } catch (IOException e) {
            failure = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        if (!allReceived) {
            throw new MigrationException(LOST_AT_DESTINATION, "the connection to " + destination + " dropped during post-copy ("
                    + failure + ") with " + (total - sentCount) + " of " + total + " pages not yet sent: the VM is lost "
                    + "at the destination; it stays paused here with all its memory, for recovery");
        }
        long end = System.nanoTime();
        return new MigrationReport(MigrationMode.POSTCOPY, vm.memory().size(), List.of(), end - start, handshakeNanos,
                runningAt - downtime.pausedAt(), link.bytesSent(), new MigrationReport.Postcopy(demand, prepaged, pushed),
                reader.encoder().stats().lines(), downtime.phases(runningAt, running));
    }

    private void serve() throws IOException, InterruptedException {
        int cursor = 0;
        long pushStart = System.nanoTime(), bytesAtStart = link.bytesSent();
        List<PageEntry> batch = new ArrayList<>();
        batchStart = reader.wireBytes();
        while (sentCount < total) {
            long hold = pushBandwidth == 0 ? 0
                    : pushStart + (long) ((link.bytesSent() - bytesAtStart) * 1e9 / pushBandwidth) - System.nanoTime();
            // While the push is held back, wait for requests only: a fault is never held back.
            Long request = hold > 0 ? requests.poll(hold, TimeUnit.NANOSECONDS) : requests.poll();
            if (request != null && request == READER_ENDED) throw new IOException(failure);
            if (request != null) {
                int index = Math.toIntExact(request);
                if (!sent.get(index)) {
                    sendPage(index, batch);
                    demand++;
                    for (int i = index + 1; i <= Math.min(total - 1, index + PREPAGE_AFTER); i++) prepaged += sendPage(i, batch);
                    for (int i = Math.max(0, index - PREPAGE_BEFORE); i < index; i++) prepaged += sendPage(i, batch);
                    link.send(new Chunk.Pages(batch));
                    link.flush();
                    batch.clear();
                    batchStart = reader.wireBytes();
                }
                continue;
            }
            if (hold > 0) continue;
            int n = 0;
            while (n < PUSH_PAGES && reader.wireBytes() - batchStart < PUSH_BYTES
                    && (cursor = sent.nextClearBit(cursor)) < total) {
                int end = sent.nextSetBit(cursor);
                n += send(cursor, end < 0 ? total : end, batch);
            }
            pushed += n;
            if (!batch.isEmpty()) {
                link.send(new Chunk.Pages(batch));
                batch.clear();
                batchStart = reader.wireBytes();
            }
            progress.update("post-copy", (long) sentCount * GuestMemory.PAGE_SIZE, (long) total * GuestMemory.PAGE_SIZE);
        }
        link.flush();
    }

    /** Adds page {@code index} to {@code batch} unless it was sent already; returns 1 if it was added. */
    private int sendPage(int index, List<PageEntry> batch) {
        return sent.get(index) ? 0 : send(index, index + 1, batch);
    }

    /**
     * Adds unsent page {@code index}, or the untouched run from there up to {@code limit}, to
     * {@code batch}; returns how many pages it added.
     */
    private int send(int index, int limit, List<PageEntry> batch) {
        int run = reader.add(index, limit, batch);
        sent.set(index, index + run);
        sentCount += run;
        return run;
    }

    private void readReplies() {
        try {
            while (true) {
                switch (link.receive()) {
                    case Chunk.PageRequest r when r.index() >= 0 && r.index() < total -> requests.add(r.index());
                    case Chunk.Running r -> {
                        runningAt = System.nanoTime();
                        running = r;
                        runningOrEnded.countDown();
                    }
                    case Chunk.Complete _ when running == null -> {
                        failure = "the destination said it had every page before it said the VM runs";
                        return;
                    }
                    case Chunk.Complete _ -> {
                        allReceived = true;
                        return;
                    }
                    case Chunk.Abort a -> {
                        failure = "the destination gave up: " + a.reason();
                        return;
                    }
                    case Chunk other -> {
                        failure = "unexpected " + other.getClass().getSimpleName() + " from the destination";
                        return;
                    }
                }
            }
        } catch (IOException e) {
            failure = e.getMessage();
        } finally {
            requests.add(READER_ENDED);
            runningOrEnded.countDown();
            ended.countDown();
        }
    }
}
