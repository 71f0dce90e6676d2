package dev.vireo.vmm.migration;

import dev.vireo.vmm.MigrationException;
import dev.vireo.vmm.MigrationMode;
import dev.vireo.vmm.MigrationOptions;
import dev.vireo.vmm.MigrationProgress;
import dev.vireo.vmm.MigrationReport;
import dev.vireo.vmm.PageEncoding;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.migration.stream.Chunk;
import dev.vireo.vmm.migration.stream.Header;
import dev.vireo.vmm.migration.stream.PageEncoder;
import dev.vireo.vmm.migration.stream.PageEntry;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.vireo.vmm.MigrationException.Outcome.REFUSED;
import static dev.vireo.vmm.MigrationException.Outcome.SOURCE_RUNNING;

/**
 * The source side of a live or non-live migration. The destination answers the header before
 * anything is paused. Pre-copy sends all memory, then what the dirty log reports, round after
 * round, until the rest fits the downtime target at the bandwidth the last round measured, the
 * round limit is reached or rounds stop shrinking; then it pauses, sends the rest and the
 * machine state and waits for the destination to say the VM runs. A failure before that leaves
 * this VM running (resumed if it was paused); post-copy is {@link PostcopySource}'s.
 */
public final class Sender {
    /** A pages chunk is sent once it holds this many wire bytes. */
    static final int BATCH_BYTES = 1 << 20;
    /** How long the destination may take to answer the header: it only checks it and maps memory. */
    static final int HANDSHAKE_MILLIS = 30_000;
    /** How long the paused source waits for the destination to say the VM runs before it resumes the VM here. */
    static final int START_MILLIS = 60_000;

    private final SourceVm vm;
    private final MigrationOptions options;
    private final Link link;
    private final MigrationProgress progress;
    private final GuestMemory memory;
    private final PageReader reader;
    private final List<MigrationReport.Round> rounds = new ArrayList<>();
    private final String destination;
    private boolean paused;
    private long handshakeNanos;
    private Thread warmUp;
    private volatile RuntimeException warmUpFailure;

    private Sender(SourceVm vm, MigrationOptions options, Link link, String destination, MigrationProgress progress) {
        this.vm = vm;
        this.options = options;
        this.link = link;
        this.destination = destination;
        this.progress = progress;
        this.memory = vm.memory();
        // Only pre-copy sends a page twice; elsewhere an XBZRLE cache would be memory for nothing.
        Set<PageEncoding> encodings = EnumSet.noneOf(PageEncoding.class);
        encodings.addAll(options.compression());
        if (options.mode() != MigrationMode.PRECOPY) encodings.remove(PageEncoding.XBZRLE);
        this.reader = new PageReader(memory, new PageEncoder(GuestMemory.PAGE_SIZE, encodings, options.xbzrleCacheBytes()));
    }

    /**
     * Migrates {@code vm} over {@code socket} (connected to the destination). On success the
     * destination runs the VM and this one is paused, for the caller to discard.
     */
    public static MigrationReport send(SourceVm vm, MigrationOptions options, Socket socket, MigrationProgress progress)
            throws MigrationException {
        String destination = socket.getRemoteSocketAddress().toString();
        try (Link link = new Link(socket)) {
            return new Sender(vm, options, link, destination, progress).run();
        } catch (IllegalStateException e) {
            throw new MigrationException(MigrationException.Outcome.GUEST_ENDED, e.getMessage()
                    + "; the migration stopped and nothing runs at the destination");
        } catch (IOException e) {
            throw new MigrationException(SOURCE_RUNNING, "could not use the connection to " + destination + ": " + e.getMessage());
        }
    }

    private MigrationReport run() throws MigrationException {
        long start = System.nanoTime();
        progress.update("connected to " + destination, 0, -1);
        // While the destination answers and pre-copy's rounds run: only the pause needs it done.
        if (options.mode() != MigrationMode.COLD) warmUp = Thread.ofPlatform().name("migration-warm-up").start(this::warmUp);
        handshake();
        handshakeNanos = System.nanoTime() - start;
        return switch (options.mode()) {
            case NONLIVE -> stopAndCopy(start, null, allPages());
            case PRECOPY -> precopy(start);
            case POSTCOPY -> {
                awaitWarmUp();
                yield new PostcopySource(vm, link, reader, options.postcopyBandwidth(), destination, progress)
                        .run(start, handshakeNanos);
            }
            case COLD -> cold(start);
        };
    }

    /** Sends the header; the destination accepts or refuses before anything is paused. */
    private void handshake() throws MigrationException {
        Header header = new Header(Header.VERSION, options.mode(), GuestMemory.PAGE_SIZE, vm.vcpus(), memory.size(),
                reader.encoder().features());
        Chunk reply;
        try {
            link.send(header);
            link.flush();
            reply = link.receive(HANDSHAKE_MILLIS);
        } catch (IOException e) {
            throw new MigrationException(SOURCE_RUNNING, "the destination " + destination + " did not answer the stream header ("
                    + e.getMessage() + "); nothing was paused, the VM keeps running here");
        }
        switch (reply) {
            case Chunk.Accept _ -> { }
            case Chunk.Refuse r -> throw new MigrationException(REFUSED, "the destination refused the VM: " + r.reason()
                    + "; nothing was paused, the VM keeps running here");
            default -> throw new MigrationException(SOURCE_RUNNING, "the destination answered the header with "
                    + reply.getClass().getSimpleName() + "; the VM keeps running here");
        }
    }

    /** Runs the state capture once on a scratch machine, so that the pause runs warm code. */
    private void warmUp() {
        try {
            vm.warmUp();
        } catch (RuntimeException e) {
            warmUpFailure = e;
        }
    }

    private void awaitWarmUp() throws MigrationException {
        try {
            warmUp.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationException(SOURCE_RUNNING, "interrupted before the pause; the VM keeps running here");
        }
        if (warmUpFailure != null) {
            throw new MigrationException(SOURCE_RUNNING, "could not prepare the state capture here (" + warmUpFailure.getMessage()
                    + "); nothing was paused, the VM keeps running here");
        }
    }

    private MigrationReport precopy(long start) throws MigrationException {
        try (SourceVm.DirtyPages log = vm.startDirtyLog()) {
            reader.skipUntouched();
            BitSet pending = allPages();
            long previousDirty = Long.MAX_VALUE;
            for (int round = 1; ; round++) {
                long bytesBefore = link.bytesSent(), t0 = System.nanoTime(), zeroBefore = zeroPages();
                long sent = sendPages(pending, "round " + round);
                link.sendNow(new Chunk.RoundEnd(round, sent));
                awaitLanded(round);
                long nanos = System.nanoTime() - t0, bytes = link.bytesSent() - bytesBefore;
                pending.clear();
                log.collect(pending);
                long dirty = pending.cardinality();
                rounds.add(new MigrationReport.Round(round, sent, dirty, bytes, nanos, false));
                long dataPages = sent - (zeroPages() - zeroBefore);
                if (round >= options.maxRounds() || dirty >= previousDirty || fitsDowntime(dirty, dataPages, nanos)) break;
                previousDirty = dirty;
            }
            return stopAndCopy(start, log, pending);
        } catch (IOException e) {
            throw dropped(e);
        }
    }

    /**
     * Sends the stopped VM's configuration and its disk image (with its SHA-256); the destination
     * boots it. Nothing ran, so there is no downtime.
     */
    private MigrationReport cold(long start) throws MigrationException {
        SourceVm.BootConfig config = vm.bootConfig();
        try {
            long diskBytes = config.disk() == null ? -1 : diskSize(config.disk());
            link.send(new Chunk.GuestConfig(config.kernelName(), config.kernel(), config.cmdline(), diskBytes));
            if (config.disk() != null) sendDisk(config.disk(), diskBytes);
            link.sendNow(new Chunk.Complete());
            Chunk reply = link.receive();
            if (!(reply instanceof Chunk.Running)) {
                String why = reply instanceof Chunk.Abort(String reason) ? reason : reply.getClass().getSimpleName();
                throw new MigrationException(SOURCE_RUNNING, "the destination could not boot the VM (" + why + "); it stays here");
            }
        } catch (IOException e) {
            throw new MigrationException(SOURCE_RUNNING, "the connection to " + destination + " dropped (" + e.getMessage()
                    + "); the VM stays here");
        }
        return new MigrationReport(MigrationMode.COLD, memory.size(), List.of(), System.nanoTime() - start, handshakeNanos, 0,
                link.bytesSent(), MigrationReport.Postcopy.NONE, List.of(), List.of());
    }

    private static long diskSize(Path disk) throws MigrationException {
        try {
            return Files.size(disk);
        } catch (IOException e) {
            throw new MigrationException(SOURCE_RUNNING, "cannot read the disk image " + disk + " (" + e.getMessage()
                    + "); nothing was sent, the VM stays here");
        }
    }

    /** The disk image in {@link #BATCH_BYTES} pieces, then its SHA-256; a read failure aborts the migration. */
    private void sendDisk(Path disk, long size) throws IOException, MigrationException {
        MessageDigest sha256 = Chunk.DiskEnd.digest();
        byte[] block = new byte[BATCH_BYTES];
        long done = 0;
        InputStream in;
        try {
            in = Files.newInputStream(disk);
        } catch (IOException e) {
            throw unreadable(disk, e.getMessage());
        }
        try (in) {
            while (done < size) {
                int n;
                try {
                    n = in.readNBytes(block, 0, (int) Math.min(block.length, size - done));
                } catch (IOException e) {
                    throw unreadable(disk, e.getMessage());
                }
                if (n == 0) throw unreadable(disk, "it shrank while it was sent");
                sha256.update(block, 0, n);
                link.send(new Chunk.DiskData(Arrays.copyOf(block, n)));
                done += n;
                progress.update("disk image", done, size);
            }
        }
        link.send(new Chunk.DiskEnd(sha256.digest()));
    }

    /** Tells the destination to drop what it has of the image; the VM stays here. */
    private MigrationException unreadable(Path disk, String why) throws IOException {
        link.sendNow(new Chunk.Abort("the source could not read its disk image"));
        return new MigrationException(SOURCE_RUNNING, "cannot read the disk image " + disk + " (" + why
                + "); the migration stopped, the VM stays here");
    }

    /**
     * Waits until the destination has landed round {@code round}: the round's time then includes
     * the destination's share, and the pause never finds pages still queued on the way.
     */
    private void awaitLanded(int round) throws IOException, MigrationException {
        Chunk reply = link.receive(START_MILLIS);
        if (reply instanceof Chunk.RoundLanded(int landed) && landed == round) return;
        String why = reply instanceof Chunk.Abort(String reason) ? reason : "it answered round " + round + " with "
                + reply.getClass().getSimpleName();
        throw new MigrationException(SOURCE_RUNNING, "the destination gave up during round " + round + " (" + why
                + "); the VM keeps running here");
    }

    /**
     * Whether sending {@code dirty} pages at the rate the last round sent its {@code dataPages}
     * (pages with content, in {@code nanos}) takes no longer than the target. Zero pages are left
     * out of the rate: they cost next to nothing, and pages the guest dirtied are seldom zero.
     */
    private boolean fitsDowntime(long dirty, long dataPages, long nanos) {
        if (dirty == 0) return true;
        return dataPages > 0 && dirty * (nanos / 1e6) / dataPages <= options.downtimeMillis();
    }

    private long zeroPages() {
        return reader.encoder().stats().pages(PageEncoding.ZERO);
    }

    /** Pauses, sends {@code pending} plus what the log adds, the machine state, and waits for the destination to run. */
    private MigrationReport stopAndCopy(long start, SourceVm.DirtyPages log, BitSet pending) throws MigrationException {
        awaitWarmUp();
        try {
            DowntimeClock downtime = new DowntimeClock(pause());
            if (log != null) log.collect(pending);
            else reader.skipUntouched(); // non-live: nothing was sent yet, and the paused guest touches nothing more
            long bytesBefore = link.bytesSent(), t0 = System.nanoTime();
            int round = rounds.size() + 1;
            long sent = sendPages(pending, options.mode() == MigrationMode.NONLIVE ? "copy" : "stop-and-copy");
            link.send(new Chunk.RoundEnd(round, sent));
            downtime.mark("last pages");
            byte[] state = vm.saveState();
            downtime.mark("state capture");
            link.send(new Chunk.MachineState(state));
            link.sendNow(new Chunk.Complete());
            downtime.mark("state sent");
            rounds.add(new MigrationReport.Round(round, sent, 0, link.bytesSent() - bytesBefore, System.nanoTime() - t0, true));
            progress.update("waiting for the destination", 0, -1);
            Chunk reply = link.receive(START_MILLIS);
            if (reply instanceof Chunk.RoundLanded) reply = link.receive(START_MILLIS); // the last round's, before Running
            long end = System.nanoTime();
            if (!(reply instanceof Chunk.Running running)) {
                resumeHere();
                String why = reply instanceof Chunk.Abort(String reason) ? reason : reply.getClass().getSimpleName();
                throw new MigrationException(SOURCE_RUNNING, "the destination could not start the VM (" + why
                        + "); the VM was resumed and keeps running here");
            }
            return new MigrationReport(options.mode(), memory.size(), rounds, end - start, handshakeNanos, end - downtime.pausedAt(),
                    link.bytesSent(), MigrationReport.Postcopy.NONE, reader.encoder().stats().lines(),
                    downtime.phases(end, running));
        } catch (IOException e) {
            throw dropped(e);
        }
    }

    private MigrationException dropped(IOException e) {
        String where = paused ? "during stop-and-copy" : "during round " + (rounds.size() + 1);
        resumeHere();
        return new MigrationException(SOURCE_RUNNING, "the connection to " + destination + " dropped " + where + " ("
                + e.getMessage() + "); the VM keeps running here");
    }

    private long pause() {
        vm.pause();
        paused = true;
        return System.nanoTime();
    }

    private void resumeHere() {
        if (paused) {
            vm.resume();
            paused = false;
        }
    }

    private BitSet allPages() {
        BitSet all = new BitSet();
        all.set(0, Math.toIntExact(memory.pages()));
        return all;
    }

    /** Sends the pages in {@code pages}, batched; returns how many. */
    private long sendPages(BitSet pages, String phase) throws IOException {
        long total = pages.cardinality(), done = 0, shown = 0, batchStart = reader.wireBytes();
        List<PageEntry> batch = new ArrayList<>();
        for (int i = pages.nextSetBit(0); i >= 0; ) {
            int run = reader.add(i, pages.nextClearBit(i), batch);
            if (reader.wireBytes() - batchStart >= BATCH_BYTES || batch.size() >= 1024) {
                link.send(new Chunk.Pages(batch));
                batch.clear();
                batchStart = reader.wireBytes();
            }
            done += run;
            if (done - shown >= 1024) {
                progress.update(phase, done * GuestMemory.PAGE_SIZE, total * GuestMemory.PAGE_SIZE);
                shown = done;
            }
            i = pages.nextSetBit(i + run);
        }
        if (!batch.isEmpty()) link.send(new Chunk.Pages(batch));
        progress.update(phase, total * GuestMemory.PAGE_SIZE, total * GuestMemory.PAGE_SIZE);
        return total;
    }
}
