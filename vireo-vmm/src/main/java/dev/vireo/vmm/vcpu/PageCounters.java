package dev.vireo.vmm.vcpu;

import java.util.Arrays;

/**
 * Per-page MMIO counters in an open-addressing table keyed by page number: no boxing and no
 * allocation on the exit path once a page has been seen. Written by one vCPU thread.
 */
final class PageCounters {
    private static final long EMPTY = -1;

    private long[] pages = new long[64];
    private long[] reads = new long[64], writes = new long[64], nanos = new long[64];
    private int size;

    PageCounters() {
        Arrays.fill(pages, EMPTY);
    }

    void add(long page, boolean write, long elapsed) {
        int i = index(page);
        if (write) writes[i]++;
        else reads[i]++;
        nanos[i] += elapsed;
    }

    void merge(long page, long moreReads, long moreWrites, long moreNanos) {
        int i = index(page);
        reads[i] += moreReads;
        writes[i] += moreWrites;
        nanos[i] += moreNanos;
    }

    /** The slot of {@code page}, inserting it when new. */
    private int index(long page) {
        int i = slot(page);
        if (pages[i] == EMPTY) {
            if ((size + 1) * 2 > pages.length) {
                grow();
                i = slot(page);
            }
            pages[i] = page;
            size++;
        }
        return i;
    }

    /** Calls {@code sink} once per page seen. */
    void forEach(Sink sink) {
        for (int i = 0; i < pages.length; i++) {
            if (pages[i] != EMPTY) sink.accept(pages[i], reads[i], writes[i], nanos[i]);
        }
    }

    interface Sink {
        void accept(long page, long reads, long writes, long nanos);
    }

    private int slot(long page) {
        int mask = pages.length - 1;
        int i = (int) (mix(page) & mask);
        while (pages[i] != EMPTY && pages[i] != page) i = (i + 1) & mask;
        return i;
    }

    private static long mix(long x) {
        x *= 0x9e3779b97f4a7c15L;
        return x ^ (x >>> 29);
    }

    private void grow() {
        long[] oldPages = pages, oldReads = reads, oldWrites = writes, oldNanos = nanos;
        int n = oldPages.length * 2;
        pages = new long[n];
        Arrays.fill(pages, EMPTY);
        reads = new long[n];
        writes = new long[n];
        nanos = new long[n];
        for (int j = 0; j < oldPages.length; j++) {
            if (oldPages[j] == EMPTY) continue;
            int i = slot(oldPages[j]);
            pages[i] = oldPages[j];
            reads[i] = oldReads[j];
            writes[i] = oldWrites[j];
            nanos[i] = oldNanos[j];
        }
    }
}
