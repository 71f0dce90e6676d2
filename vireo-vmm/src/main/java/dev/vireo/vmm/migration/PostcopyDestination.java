package dev.vireo.vmm.migration;

import dev.vireo.sys.EventFd;
import dev.vireo.sys.Processes;
import dev.vireo.sys.Userfaultfd;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.memory.MemoryRegion;
import dev.vireo.vmm.migration.stream.Chunk;
import dev.vireo.vmm.migration.stream.PageDecoder;
import dev.vireo.vmm.migration.stream.PageEntry;
import dev.vireo.vmm.migration.stream.StreamException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * The destination side of post-copy. Guest memory is registered with userfaultfd (missing
 * mode) before the first page lands; each page the source sends is placed with UFFDIO_COPY
 * (UFFDIO_ZEROPAGE for zero runs), which also wakes whoever waits on it. A fault thread turns
 * the guest's first touch of a missing page into a request to the source. If the link drops
 * before every page is here, the descriptor stays open and registered, so a vCPU that touches
 * a missing page waits forever rather than run on zeroes: the VM is lost here, and we say so.
 */
final class PostcopyDestination {
    private final GuestMemory memory;
    private final Link link;
    private final Consumer<String> onLost;
    private final PageDecoder decoder = new PageDecoder(GuestMemory.PAGE_SIZE);
    private final Userfaultfd uffd;
    private final EventFd stop = EventFd.create(0, 0);
    private final Arena arena = Arena.ofShared();
    private final MemorySegment staging = arena.allocate(GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE);
    private final byte[] page = new byte[GuestMemory.PAGE_SIZE];
    private final long total;
    /** Guarded by itself: pages placed (receiver thread) and pages asked for (fault thread). */
    private final BitSet received = new BitSet(), requested = new BitSet();
    private long receivedCount;
    private volatile long faults;
    private Thread faultThread;

    PostcopyDestination(GuestMemory memory, Link link, Consumer<String> onLost) {
        this.memory = memory;
        this.link = link;
        this.onLost = onLost;
        this.total = memory.pages();
        this.uffd = Userfaultfd.open(0, true);
        for (MemoryRegion r : memory.regions()) uffd.registerMissing(r.host());
    }

    /** Starts serving faults and receiving the rest of memory, once the VM runs. */
    void startBackground() {
        faultThread = Thread.ofPlatform().name("postcopy-faults").daemon().start(this::serveFaults);
        Thread.ofPlatform().name("postcopy-pages").daemon().start(this::receiveRest);
    }

    /** Pages the guest faulted on and this side requested. */
    long demandFaults() {
        return faults;
    }

    private void receiveRest() {
        try {
            while (missing() > 0) {
                switch (link.receive()) {
                    case Chunk.Pages p -> apply(p.entries());
                    case Chunk.Abort a -> throw new IOException("the source gave up: " + a.reason());
                    case Chunk other -> throw new IOException("unexpected " + other.getClass().getSimpleName() + " during post-copy");
                }
            }
            for (MemoryRegion r : memory.regions()) uffd.unregister(r.host());
            stop.signal(1);
            faultThread.join();
            link.sendNow(new Chunk.Complete());
            link.close();
            uffd.close();
            stop.close();
            arena.close();
        } catch (IOException e) {
            stop.signal(1);
            onLost.accept("the connection to the source dropped during post-copy (" + e.getMessage() + ") with " + missing()
                    + " of " + total + " pages still missing: the VM is lost here; it will not run on without them");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long missing() {
        synchronized (received) {
            return total - receivedCount;
        }
    }

    private void apply(List<PageEntry> entries) throws StreamException {
        for (PageEntry e : entries) {
            switch (e) {
                case PageEntry.ZeroRun(long first, int count) -> {
                    PageWriter.checkRange(memory, first, count);
                    // One UFFDIO_ZEROPAGE per span: a run is mostly memory the source's guest never touched.
                    for (MemorySegment span : memory.pages(first, count)) {
                        if (!uffd.zeropage(span.address(), span.byteSize(), true)) zeroEach(span);
                    }
                    placed(first, count);
                }
                case PageEntry.Data d -> {
                    PageWriter.checkRange(memory, d.index(), 1);
                    // A page arrives once, so nothing is there for a delta to apply to but zeroes.
                    Arrays.fill(page, (byte) 0);
                    decoder.decode(d, page);
                    MemorySegment.copy(page, 0, staging, ValueLayout.JAVA_BYTE, 0, page.length);
                    MemorySegment target = memory.page(d.index());
                    if (!uffd.copy(target.address(), staging, true)) MemorySegment.copy(staging, 0, target, 0, page.length);
                    placed(d.index(), 1);
                }
            }
        }
    }

    /** A span where some page was there already (EEXIST): page by page, filling those that were. */
    private void zeroEach(MemorySegment span) {
        for (long offset = 0; offset < span.byteSize(); offset += GuestMemory.PAGE_SIZE) {
            MemorySegment target = span.asSlice(offset, GuestMemory.PAGE_SIZE);
            if (!uffd.zeropage(target.address(), GuestMemory.PAGE_SIZE, true)) target.fill((byte) 0);
        }
    }

    private void placed(long first, int count) throws StreamException {
        int from = Math.toIntExact(first), to = from + count;
        synchronized (received) {
            int twice = received.nextSetBit(from);
            if (twice >= 0 && twice < to) throw new StreamException("page " + twice + " arrived twice");
            received.set(from, to);
            receivedCount += count;
        }
    }

    private void serveFaults() {
        MemorySegment events = arena.allocate(16L * Userfaultfd.MSG_SIZE, 8);
        try {
            while (Processes.poll(List.of(uffd.fd(), stop.fd()), -1) == 0) {
                for (Userfaultfd.Event event : uffd.read(events)) {
                    if (!(event instanceof Userfaultfd.Event.PageFault fault)) continue;
                    long index = memory.pageOf(fault.address());
                    if (index < 0) continue;
                    boolean ask;
                    synchronized (received) {
                        ask = !received.get((int) index) && !requested.get((int) index);
                        requested.set((int) index);
                    }
                    if (ask) {
                        faults++;
                        link.sendNow(new Chunk.PageRequest(index));
                    }
                }
            }
        } catch (IOException e) {
            // the page receiver sees the same broken link and reports it
        }
    }
}
