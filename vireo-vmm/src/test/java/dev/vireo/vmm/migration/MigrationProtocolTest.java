package dev.vireo.vmm.migration;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.Pipes;
import dev.vireo.vmm.MigrationException;
import dev.vireo.vmm.MigrationMode;
import dev.vireo.vmm.MigrationOptions;
import dev.vireo.vmm.MigrationProgress;
import dev.vireo.vmm.MigrationReport;
import dev.vireo.vmm.PageEncoding;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.migration.stream.Chunk;
import dev.vireo.vmm.migration.stream.ChunkCodec;
import dev.vireo.vmm.migration.stream.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both sides of the protocol over a real localhost connection, on VMs without KVM. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MigrationProtocolTest {
    static final int PAGES = 1024;
    static final long MEMORY = (long) PAGES * GuestMemory.PAGE_SIZE;

    /** The destination side running in the background: what it received, or how it failed. */
    record Incoming(ServerSocket server, CompletableFuture<Receiver.Received> done, FakeVms.Destination vm,
                    AtomicReference<String> lost, CountDownLatch lostSaid) {
        Socket connect() throws Exception {
            return new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }
    }

    static Incoming listen(long memoryLimit) throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        FakeVms.Destination vm = new FakeVms.Destination(MEMORY);
        AtomicReference<String> lost = new AtomicReference<>();
        CountDownLatch lostSaid = new CountDownLatch(1);
        CompletableFuture<Receiver.Received> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (server) {
                Socket s = server.accept();
                done.complete(Receiver.receive(s, memoryLimit, vm.factory(), message -> {
                    lost.set(message);
                    lostSaid.countDown();
                }, MigrationProgress.NONE));
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return new Incoming(server, done, vm, lost, lostSaid);
    }

    static void assertSameMemory(GuestMemory a, GuestMemory b) {
        for (long p = 0; p < a.pages(); p++) {
            assertEquals(-1L, a.page(p).mismatch(b.page(p)), "page " + p);
        }
    }

    static MigrationReport migrate(FakeVms.Source source, Incoming in, MigrationOptions options) throws Exception {
        try (Socket s = in.connect()) {
            return Sender.send(source, options, s, MigrationProgress.NONE);
        }
    }

    @Test
    void precopyConvergesInRoundsAndTheDestinationGetsTheMemoryAsPaused() throws Exception {
        try (FakeVms.Source source = new FakeVms.Source(PAGES, 48)) {
            Incoming in = listen(MEMORY);
            MigrationReport report = migrate(source, in, MigrationOptions.of(MigrationMode.PRECOPY).withDowntimeMillis(1));
            in.done().get(30, TimeUnit.SECONDS);
            assertTrue(source.paused(), "the source stays paused for the caller to discard");
            assertSameMemory(source.memory, in.vm().memory);
            assertArrayEquals(source.saveState(), in.vm().state);
            assertTrue(report.rounds().size() >= 2, report.table());
            MigrationReport.Round first = report.rounds().getFirst(), last = report.rounds().getLast();
            assertEquals(PAGES, first.pagesSent(), "round 1 sends all memory");
            assertFalse(first.paused());
            assertTrue(last.paused(), "the last round is the stop-and-copy");
            assertTrue(last.pagesSent() <= 48, "after round 1 only the working set is dirty: " + report.table());
            assertTrue(report.downtimeNanos() > 0 && report.downtimeNanos() <= report.totalNanos());
            assertTrue(report.encodings().stream().anyMatch(e -> e.encoding() == PageEncoding.ZERO && e.pages() >= PAGES / 2));
            assertTrue(report.wireBytes() < MEMORY * 3 / 4, "zero pages cost next to nothing: " + report.wireBytes());
            assertTrue(report.json().startsWith("{\"mode\":\"precopy\""));
            assertTrue(report.svg().contains("<rect"));
        }
    }

    @Test
    void precopyStopsAtTheRoundLimit() throws Exception {
        try (FakeVms.Source source = new FakeVms.Source(PAGES, 512)) {
            Incoming in = listen(MEMORY);
            MigrationReport report = migrate(source, in, MigrationOptions.of(MigrationMode.PRECOPY).withDowntimeMillis(1)
                    .withMaxRounds(2).withCompression(EnumSet.noneOf(PageEncoding.class)));
            in.done().get(30, TimeUnit.SECONDS);
            assertTrue(report.rounds().size() <= 3, report.table());
            assertSameMemory(source.memory, in.vm().memory);
            assertEquals(PageEncoding.RAW, report.encodings().getFirst().encoding());
        }
    }

    @Test
    void theRehearsalMigratesBothWaysWithoutKvm() throws Exception {
        Rehearsal.once(MigrationMode.PRECOPY);
        Rehearsal.once(MigrationMode.POSTCOPY);
    }

    @Test
    void nonliveCopiesEverythingOnceWithTheVmPaused() throws Exception {
        try (FakeVms.Source source = new FakeVms.Source(PAGES, 64)) {
            Incoming in = listen(MEMORY);
            MigrationReport report = migrate(source, in, MigrationOptions.of(MigrationMode.NONLIVE));
            in.done().get(30, TimeUnit.SECONDS);
            assertEquals(1, report.rounds().size());
            assertTrue(report.rounds().getFirst().paused());
            assertEquals(PAGES, report.pagesSent());
            assertEquals(1, source.pauses);
            assertSameMemory(source.memory, in.vm().memory);
        }
    }

    @Test
    void postcopyResumesFirstFetchesFaultedPagesAndSendsEachPageOnce(@TempDir Path dir) throws Exception {
        try (FakeVms.Source source = new FakeVms.Source(PAGES, 64)) {
            Incoming in = listen(MEMORY);
            CompletableFuture<MigrationReport> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    return migrate(source, in, MigrationOptions.of(MigrationMode.POSTCOPY));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(in.vm().started.await(30, TimeUnit.SECONDS));
            // The destination's "guest": kernel reads of pages at the far end of memory, which push has not reached.
            try (Fd out = FileIo.open(dir.resolve("touched").toString(), FileIo.O_WRONLY | FileIo.O_CREAT, 0600)) {
                for (long p = PAGES - 1; p > PAGES - 200; p -= 37) {
                    MemorySegment page = in.vm().memory.page(p);
                    assertEquals(GuestMemory.PAGE_SIZE, FileIo.pwrite(out, page, 0));
                    assertEquals(-1L, page.mismatch(source.memory.page(p)), "page " + p + " as the source has it");
                }
            }
            MigrationReport report = sent.get(60, TimeUnit.SECONDS);
            assertEquals(PAGES, report.pagesSent(), "every page exactly once: " + report.table());
            assertTrue(report.postcopy().pushedPages() > 0);
            assertTrue(report.rounds().isEmpty());
            assertSameMemory(source.memory, in.vm().memory);
            assertNull(in.lost().get());
            assertTrue(source.paused());
            assertEquals(0, source.resumes);
        }
    }

    @Test
    void coldMovesTheDiskImageWhichTheDestinationKeepsOnlyWhole(@TempDir Path dir) throws Exception {
        byte[] image = new byte[(3 << 20) + 512]; // more than one chunk, not a whole number of them
        new Random(3).nextBytes(image);
        try (FakeVms.Source source = new FakeVms.Source(PAGES, 8)) {
            source.disk = Files.write(dir.resolve("source.img"), image);
            Incoming in = listen(MEMORY);
            in.vm().diskFile = dir.resolve("received.img");
            MigrationReport report = migrate(source, in, MigrationOptions.of(MigrationMode.COLD));
            in.done().get(30, TimeUnit.SECONDS);
            assertEquals(dir.resolve("received.img"), in.vm().booted.disk());
            assertArrayEquals(image, Files.readAllBytes(dir.resolve("received.img")));
            assertTrue(report.wireBytes() > image.length, "the image went on the wire: " + report.wireBytes());
            try (var files = Files.list(dir)) {
                assertEquals(2, files.count(), "no temporary file left");
            }
        }
    }

    @Test
    void aColdMigrationWithADiskToADestinationThatTakesNoneStopsAndTheVmStays(@TempDir Path dir) throws Exception {
        try (FakeVms.Source source = new FakeVms.Source(PAGES, 8)) {
            source.disk = Files.write(dir.resolve("source.img"), new byte[8192]);
            Incoming in = listen(MEMORY);
            MigrationException e = assertThrows(MigrationException.class,
                    () -> migrate(source, in, MigrationOptions.of(MigrationMode.COLD)));
            assertEquals(MigrationException.Outcome.SOURCE_RUNNING, e.outcome());
            assertTrue(e.getMessage().contains("this destination was given no file to keep it in (vm receive --disk FILE)"),
                    e.getMessage());
            assertNull(in.vm().booted);
        }
    }

    @Test
    void aDiskImageThatFailsItsDigestIsNotKept(@TempDir Path dir) throws Exception {
        Incoming in = listen(MEMORY);
        in.vm().diskFile = dir.resolve("received.img");
        try (Socket s = in.connect()) {
            OutputStream out = s.getOutputStream();
            out.write(new Header(Header.VERSION, MigrationMode.COLD, GuestMemory.PAGE_SIZE, 1, MEMORY, 1).encode());
            out.flush();
            assertEquals(new Chunk.Accept(), ChunkCodec.read(s.getInputStream()));
            out.write(ChunkCodec.encode(new Chunk.GuestConfig("guest.elf", new byte[] {1}, "", 4)));
            out.write(ChunkCodec.encode(new Chunk.DiskData(new byte[] {1, 2, 3, 4})));
            out.write(ChunkCodec.encode(new Chunk.DiskEnd(Chunk.DiskEnd.digest().digest(new byte[] {1, 2, 3, 5}))));
            out.flush();
            assertEquals(new Chunk.Abort("the disk image failed its SHA-256 check"), ChunkCodec.read(s.getInputStream()));
        }
        assertThrows(ExecutionException.class, () -> in.done().get(30, TimeUnit.SECONDS));
        assertNull(in.vm().booted);
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "neither the image nor a temporary file is left");
        }
    }

    @Test
    void coldMovesTheBootConfigurationAndTheDestinationBootsIt() throws Exception {
        try (FakeVms.Source source = new FakeVms.Source(PAGES, 8)) {
            Incoming in = listen(MEMORY);
            MigrationReport report = migrate(source, in, MigrationOptions.of(MigrationMode.COLD));
            in.done().get(30, TimeUnit.SECONDS);
            assertEquals(source.bootConfig().cmdline(), in.vm().booted.cmdline());
            assertArrayEquals(source.bootConfig().kernel(), in.vm().booted.kernel());
            assertEquals(0, in.vm().started.getCount());
            assertEquals(0, report.pagesSent());
            assertTrue(report.wireBytes() < 200, "a configuration, no memory: " + report.wireBytes());
            assertEquals(0, source.pauses);
        }
    }

    @Test
    void aDestinationWithTooLittleMemoryRefusesBeforeAnythingPauses() throws Exception {
        try (FakeVms.Source source = new FakeVms.Source(PAGES, 8)) {
            Incoming in = listen(MEMORY / 2);
            MigrationException e = assertThrows(MigrationException.class,
                    () -> migrate(source, in, MigrationOptions.of(MigrationMode.PRECOPY)));
            assertEquals(MigrationException.Outcome.REFUSED, e.outcome());
            assertEquals("the destination refused the VM: the VM has 4 MiB of memory, this host offers 2 MiB; "
                    + "nothing was paused, the VM keeps running here", e.getMessage());
            assertEquals(0, source.pauses);
            Exception atDestination = assertThrows(Exception.class, () -> in.done().get(30, TimeUnit.SECONDS));
            assertEquals(MigrationException.Outcome.REFUSED, ((MigrationException) atDestination.getCause()).outcome());
        }
    }

    @Test
    void aStreamOfAnotherVersionIsRefusedInWords() throws Exception {
        Incoming in = listen(MEMORY);
        try (Socket s = in.connect()) {
            OutputStream out = s.getOutputStream();
            out.write(new Header(Header.VERSION + 1, MigrationMode.PRECOPY, GuestMemory.PAGE_SIZE, 1, MEMORY, 1).encode());
            out.flush();
            Chunk reply = ChunkCodec.read(s.getInputStream());
            assertEquals(new Chunk.Refuse("stream version " + (Header.VERSION + 1) + ", this Vireo reads version " + Header.VERSION), reply);
        }
    }

    @Test
    void aDestinationThatDiesMidPrecopyLeavesTheSourceRunning() throws Exception {
        try (FakeVms.Source source = new FakeVms.Source(PAGES, 32);
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CountDownLatch gone = new CountDownLatch(1);
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    Header.read(in);
                    s.getOutputStream().write(ChunkCodec.encode(new Chunk.Accept()));
                    ChunkCodec.read(in); // one batch of pages, then the "destination" is killed
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    gone.countDown();
                }
            });
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                MigrationException e = assertThrows(MigrationException.class, () -> Sender.send(source,
                        MigrationOptions.of(MigrationMode.PRECOPY).withCompression(EnumSet.noneOf(PageEncoding.class)), s,
                        MigrationProgress.NONE));
                assertEquals(MigrationException.Outcome.SOURCE_RUNNING, e.outcome());
                // Round 1 may fit in the sockets' buffers, so the drop can be noticed in a later phase.
                assertTrue(e.getMessage().matches(".*dropped during (round \\d+|stop-and-copy).*"), e.getMessage());
                assertTrue(e.getMessage().endsWith("the VM keeps running here"), e.getMessage());
            }
            assertFalse(source.paused());
        }
    }

    @Test
    void aDestinationThatFailsToStartGetsTheSourceResumed() throws Exception {
        try (FakeVms.Source source = new FakeVms.Source(PAGES, 8)) {
            ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            FakeVms.Destination broken = new FakeVms.Destination(MEMORY) {
                @Override
                public void restore(byte[] bytes) {
                    throw new IllegalStateException("KVM_SET_SREGS: EINVAL");
                }
            };
            CompletableFuture<Receiver.Received> done = CompletableFuture.supplyAsync(() -> {
                try (server; Socket s = server.accept()) {
                    return Receiver.receive(s, MEMORY, broken.factory(), x -> { }, MigrationProgress.NONE);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                MigrationException e = assertThrows(MigrationException.class,
                        () -> Sender.send(source, MigrationOptions.of(MigrationMode.NONLIVE), s, MigrationProgress.NONE));
                assertEquals("the destination could not start the VM (could not start the VM here: KVM_SET_SREGS: EINVAL); "
                        + "the VM was resumed and keeps running here", e.getMessage());
            }
            assertFalse(source.paused());
            assertEquals(1, source.resumes);
            assertThrows(Exception.class, () -> done.get(30, TimeUnit.SECONDS), "the destination closed its VM again");
        }
    }

    @Test
    void aPostcopyLinkDropLosesTheVmAtTheDestinationAndKeepsTheSourcePaused() throws Exception {
        try (FakeVms.Source source = new FakeVms.Source(PAGES, 8);
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    Header.read(in);
                    s.getOutputStream().write(ChunkCodec.encode(new Chunk.Accept()));
                    ChunkCodec.read(in);
                    ChunkCodec.read(in);
                    s.getOutputStream().write(ChunkCodec.encode(new Chunk.Running(0, 0)));
                    ChunkCodec.read(in); // the first pushed pages arrive, then the destination host dies
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                MigrationException e = assertThrows(MigrationException.class,
                        () -> Sender.send(source, MigrationOptions.of(MigrationMode.POSTCOPY), s, MigrationProgress.NONE));
                assertEquals(MigrationException.Outcome.LOST_AT_DESTINATION, e.outcome());
                assertTrue(e.getMessage().contains("the VM is lost at the destination; it stays paused here with all its memory, "
                        + "for recovery"), e.getMessage());
            }
            assertTrue(source.paused());
            assertEquals(0, source.resumes);
        }
    }

    @Test
    void aSourceThatDiesDuringPostcopyLeavesTheDestinationsGuestWaitingAndSaysTheVmIsLost() throws Exception {
        Incoming in = listen(MEMORY);
        try (Socket s = in.connect()) {
            OutputStream out = s.getOutputStream();
            out.write(new Header(Header.VERSION, MigrationMode.POSTCOPY, GuestMemory.PAGE_SIZE, 1, MEMORY, 3).encode());
            out.flush();
            assertEquals(new Chunk.Accept(), ChunkCodec.read(s.getInputStream()));
            out.write(ChunkCodec.encode(new Chunk.MachineState("regs".getBytes(StandardCharsets.UTF_8))));
            out.write(ChunkCodec.encode(new Chunk.Complete()));
            out.flush();
            assertInstanceOf(Chunk.Running.class, ChunkCodec.read(s.getInputStream()));
        }
        assertTrue(in.lostSaid().await(30, TimeUnit.SECONDS));
        assertTrue(in.lost().get().endsWith("with 1024 of 1024 pages still missing: the VM is lost here; "
                + "it will not run on without them"), in.lost().get());
        // A guest touch of a missing page now waits: it is never served zeroes.
        // (through a pipe: a blocked write(2) to a file would hold its inode, and the file could not be deleted)
        Fd[] pipe = Pipes.pipe();
        Thread toucher = Thread.ofPlatform().daemon().start(() -> FileIo.write(pipe[1], in.vm().memory.page(5)));
        assertFalse(toucher.join(java.time.Duration.ofMillis(300)), "the touch stays blocked");
    }
}
