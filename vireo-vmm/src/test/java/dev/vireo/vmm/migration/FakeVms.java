package dev.vireo.vmm.migration;

import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.memory.MemoryRegion;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/** VMs without KVM: memory, a "guest" thread that writes pages, and a dirty log it keeps itself. */
final class FakeVms {
    private FakeVms() {}

    /**
     * A source whose memory starts half random, half zero, and whose guest thread rewrites one
     * page of its first {@code workingSet} pages at a time until paused.
     */
    static final class Source implements SourceVm, AutoCloseable {
        final Arena arena = Arena.ofShared();
        final GuestMemory memory;
        private final Object lock = new Object();
        private final BitSet dirty = new BitSet();
        private final Thread guest;
        private boolean paused, stopped, logging;
        /** The disk image a cold migration moves; null: none. */
        volatile Path disk;
        int pauses, resumes;
        long writes;

        Source(int pages, int workingSet) {
            MemorySegment ram = arena.allocate((long) pages * GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE);
            Random r = new Random(1);
            for (int p = 0; p < pages / 2; p++) {
                for (int i = 0; i < GuestMemory.PAGE_SIZE; i += 8) ram.set(ValueLayout.JAVA_LONG, (long) p * GuestMemory.PAGE_SIZE + i, r.nextLong());
            }
            memory = GuestMemory.of(List.of(new MemoryRegion(0, 0, ram, 0)));
            guest = Thread.ofPlatform().daemon().start(() -> run(workingSet));
        }

        private void run(int workingSet) {
            Random r = new Random(2);
            while (true) {
                synchronized (lock) {
                    while (paused && !stopped) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (stopped) return;
                    int page = r.nextInt(workingSet);
                    memory.page(page).set(ValueLayout.JAVA_LONG, r.nextInt(512) * 8L, ++writes);
                    if (logging) dirty.set(page);
                }
                Thread.yield();
            }
        }

        @Override
        public GuestMemory memory() {
            return memory;
        }

        @Override
        public int vcpus() {
            return 1;
        }

        @Override
        public DirtyPages startDirtyLog() {
            synchronized (lock) {
                logging = true;
            }
            return new DirtyPages() {
                @Override
                public void collect(BitSet into) {
                    synchronized (lock) {
                        into.or(dirty);
                        dirty.clear();
                    }
                }

                @Override
                public void close() {
                    synchronized (lock) {
                        logging = false;
                    }
                }
            };
        }

        @Override
        public void pause() {
            synchronized (lock) {
                paused = true;
                pauses++;
            }
        }

        @Override
        public void resume() {
            synchronized (lock) {
                paused = false;
                resumes++;
                lock.notifyAll();
            }
        }

        boolean paused() {
            synchronized (lock) {
                return paused;
            }
        }

        @Override
        public void warmUp() {
            // no code to warm: nothing here runs inside a real downtime
        }

        @Override
        public BootConfig bootConfig() {
            return new BootConfig("guest.elf", new byte[] {0x7f, 'E', 'L', 'F', 2}, "memtouch 1 1", disk);
        }

        @Override
        public byte[] saveState() {
            synchronized (lock) {
                return ("writes=" + writes).getBytes(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() throws InterruptedException {
            synchronized (lock) {
                stopped = true;
                lock.notifyAll();
            }
            guest.join();
            arena.close();
        }
    }

    /** A destination over real anonymous memory (userfaultfd needs a real mapping). */
    static class Destination implements DestinationVm, AutoCloseable {
        final GuestMemory memory;
        final CountDownLatch started = new CountDownLatch(1);
        volatile byte[] state;
        volatile SourceVm.BootConfig booted;
        /** Where a received disk image goes; null: none is taken. */
        volatile Path diskFile;

        Destination(long memoryBytes) {
            memory = GuestMemory.anonymous(memoryBytes);
        }

        @Override
        public GuestMemory memory() {
            return memory;
        }

        @Override
        public void restore(byte[] bytes) {
            state = bytes;
        }

        @Override
        public void start() {
            started.countDown();
        }

        @Override
        public void close() {
            memory.close();
        }

        /** A factory that hands out this VM, for a restore or a boot. */
        DestinationVm.Factory factory() {
            return new DestinationVm.Factory() {
                @Override
                public DestinationVm create(int vcpus, long memoryBytes) {
                    return Destination.this;
                }

                @Override
                public DestinationVm boot(int vcpus, long memoryBytes, SourceVm.BootConfig config) {
                    booted = config;
                    return Destination.this;
                }

                @Override
                public Path diskFile() {
                    return diskFile;
                }
            };
        }
    }
}
