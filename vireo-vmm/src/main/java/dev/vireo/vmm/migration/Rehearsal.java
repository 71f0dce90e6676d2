package dev.vireo.vmm.migration;

import dev.vireo.vmm.MigrationException;
import dev.vireo.vmm.MigrationMode;
import dev.vireo.vmm.MigrationOptions;
import dev.vireo.vmm.MigrationProgress;
import dev.vireo.vmm.memory.GuestMemory;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pre-copy and a post-copy migration of a 2 MiB VM without KVM, between a {@link Sender} and a
 * {@link Receiver} in this process over loopback, whose "guest" rewrites a few pages each round.
 * It runs the stream, page and protocol code of both sides once, where no clock runs: the AOT
 * training then keeps those classes loaded and linked with their profiles for every later
 * process, and {@code vm receive} runs it again while it waits, so that a real migration's
 * handshake, rounds and downtime do not start with code a fresh JVM has never run (under
 * emulation, that alone cost a second of handshake).
 */
public final class Rehearsal {
    private static final int PAGES = 512, REWRITTEN = 64;
    private static final long MEMORY = (long) PAGES * GuestMemory.PAGE_SIZE;

    private Rehearsal() {}

    /** Runs both rehearsals; a failure (no userfaultfd here, say) only leaves that code cold. */
    public static void run() {
        for (MigrationMode mode : List.of(MigrationMode.PRECOPY, MigrationMode.POSTCOPY)) {
            try {
                once(mode);
            } catch (IOException | MigrationException | RuntimeException | ExecutionException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One rehearsal; throws what went wrong. */
    static void once(MigrationMode mode) throws IOException, MigrationException, ExecutionException, InterruptedException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Source source = new Source();
             Destination destination = new Destination()) {
            CompletableFuture<Void> received = new CompletableFuture<>();
            Thread.ofPlatform().name("rehearsal-receiver").daemon().start(() -> {
                try {
                    // The receiver closes the connection, post-copy's once every page is in.
                    Receiver.receive(server.accept(), MEMORY, destination, message -> { }, MigrationProgress.NONE);
                    received.complete(null);
                } catch (IOException | MigrationException | RuntimeException e) {
                    received.completeExceptionally(e);
                }
            });
            try (Socket socket = new Socket(server.getInetAddress(), server.getLocalPort())) {
                Sender.send(source, MigrationOptions.of(mode), socket, MigrationProgress.NONE);
            }
            received.get();
        }
    }

    /** Memory half written, whose guest rewrites {@link #REWRITTEN} pages before each look at its dirty log. */
    private static final class Source implements SourceVm, AutoCloseable {
        private final GuestMemory memory = GuestMemory.anonymous(MEMORY);
        private long writes;

        Source() {
            for (long p = 0; p < PAGES / 2; p++) rewrite(p);
        }

        private void rewrite(long page) {
            for (long offset = 0; offset < GuestMemory.PAGE_SIZE; offset += 64) {
                memory.page(page).set(ValueLayout.JAVA_LONG, offset, ++writes * 0x9e3779b97f4a7c15L);
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
            return new DirtyPages() {
                @Override
                public void collect(BitSet dirty) {
                    for (int p = 0; p < REWRITTEN; p++) {
                        rewrite(p);
                        dirty.set(p);
                    }
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }

        @Override
        public void warmUp() {
        }

        @Override
        public byte[] saveState() {
            return new byte[256];
        }

        @Override
        public BootConfig bootConfig() {
            throw new UnsupportedOperationException("a rehearsal migrates live");
        }

        @Override
        public void close() {
            memory.close();
        }
    }

    /**
     * Fresh memory that takes the pages; nothing to restore or run. Closed by the receiver if the
     * migration fails, else here: once.
     */
    private static final class Destination implements DestinationVm, DestinationVm.Factory {
        private final GuestMemory memory = GuestMemory.anonymous(MEMORY);
        private final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public GuestMemory memory() {
            return memory;
        }

        @Override
        public void restore(byte[] state) {
        }

        @Override
        public void start() {
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) memory.close();
        }

        @Override
        public DestinationVm create(int vcpus, long memoryBytes) {
            return this;
        }

        @Override
        public DestinationVm boot(int vcpus, long memoryBytes, SourceVm.BootConfig config) {
            throw new UnsupportedOperationException("a rehearsal migrates live");
        }

        @Override
        public Path diskFile() {
            return null;
        }
    }
}
