package dev.vireo.vmm.migration;

import dev.vireo.vmm.MigrationException;
import dev.vireo.vmm.MigrationMode;
import dev.vireo.vmm.MigrationProgress;
import dev.vireo.vmm.PageEncoding;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.migration.stream.Chunk;
import dev.vireo.vmm.migration.stream.Header;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.function.Consumer;

import static dev.vireo.vmm.MigrationException.Outcome.REFUSED;
import static dev.vireo.vmm.MigrationException.Outcome.SOURCE_RUNNING;

/**
 * The destination side: checks the header and answers before the source pauses anything,
 * builds the VM, lands pages, restores the machine state on completion, starts the VM and
 * confirms it runs. In post-copy the VM starts as soon as the state is here, and
 * {@link PostcopyDestination} fetches the memory behind it.
 */
public final class Receiver {
    private final Link link;
    private final long memoryLimit;
    private final DestinationVm.Factory factory;
    private final Consumer<String> onPostcopyLost;
    private final MigrationProgress progress;

    private Receiver(Link link, long memoryLimit, DestinationVm.Factory factory, Consumer<String> onPostcopyLost,
                     MigrationProgress progress) {
        this.link = link;
        this.memoryLimit = memoryLimit;
        this.factory = factory;
        this.onPostcopyLost = onPostcopyLost;
        this.progress = progress;
    }

    /** A VM received and running here, and how it came. */
    public record Received(DestinationVm vm, Header header) {}

    /**
     * Receives one VM over {@code socket}. {@code memoryLimit} is the most guest memory this
     * host takes; {@code onPostcopyLost} hears, once, that a post-copy link dropped and the VM
     * cannot go on here.
     */
    public static Received receive(Socket socket, long memoryLimit, DestinationVm.Factory factory,
                                   Consumer<String> onPostcopyLost, MigrationProgress progress) throws MigrationException {
        Link link;
        try {
            link = new Link(socket);
        } catch (IOException e) {
            throw new MigrationException(SOURCE_RUNNING, "could not use the incoming connection: " + e.getMessage());
        }
        Received received = null;
        try {
            received = new Receiver(link, memoryLimit, factory, onPostcopyLost, progress).run();
            return received;
        } finally {
            if (received == null || received.header().mode() != MigrationMode.POSTCOPY) closeQuietly(link);
        }
    }

    private Received run() throws MigrationException {
        Header header;
        try {
            header = link.receiveHeader();
        } catch (IOException e) {
            throw new MigrationException(SOURCE_RUNNING, "the incoming stream is no VM migration: " + e.getMessage());
        }
        String refusal = refusal(header);
        DestinationVm vm = null;
        if (refusal == null && header.mode() != MigrationMode.COLD) {
            try {
                vm = factory.create(header.vcpus(), header.memoryBytes());
            } catch (RuntimeException e) {
                refusal = "the destination could not build the VM: " + e.getMessage();
            }
        }
        try {
            if (refusal != null) {
                link.sendNow(new Chunk.Refuse(refusal));
                throw new MigrationException(REFUSED, "refused the incoming VM: " + refusal);
            }
        } catch (IOException e) {
            throw new MigrationException(SOURCE_RUNNING, "the connection from the source dropped before the answer to its header ("
                    + e.getMessage() + "); nothing runs here");
        }
        if (header.mode() == MigrationMode.COLD) return new Received(cold(header), header);
        try {
            PostcopyDestination postcopy = header.mode() == MigrationMode.POSTCOPY
                    ? new PostcopyDestination(vm.memory(), link, onPostcopyLost) : null;
            link.sendNow(new Chunk.Accept());
            return new Received(land(header, vm, postcopy), header);
        } catch (MigrationException | RuntimeException e) {
            vm.close();
            throw e;
        } catch (IOException e) {
            vm.close();
            throw new MigrationException(SOURCE_RUNNING, "the connection from the source dropped before the VM was complete ("
                    + e.getMessage() + "); nothing runs here, the source keeps the VM");
        }
    }

    /** A cold migration: the configuration and the disk image, then a fresh boot. */
    private DestinationVm cold(Header header) throws MigrationException {
        try {
            link.sendNow(new Chunk.Accept());
            if (!(link.receive() instanceof Chunk.GuestConfig c)) throw abort("a cold migration starts with the configuration");
            Path disk = c.diskBytes() < 0 ? null : receiveDisk(c.diskBytes());
            Chunk next = link.receive();
            if (next instanceof Chunk.Abort(String reason)) throw new MigrationException(SOURCE_RUNNING, "the source gave up: " + reason);
            if (!(next instanceof Chunk.Complete)) throw abort("unexpected " + next.getClass().getSimpleName() + " in a cold migration");
            DestinationVm vm;
            try {
                SourceVm.BootConfig boot = new SourceVm.BootConfig(c.kernelName(), c.kernel(), c.cmdline(), disk);
                vm = factory.boot(header.vcpus(), header.memoryBytes(), boot);
                vm.start();
            } catch (RuntimeException e) {
                throw abort("could not boot the VM here: " + e.getMessage());
            }
            link.sendNow(new Chunk.Running(0, 0));
            return vm;
        } catch (IOException e) {
            throw new MigrationException(SOURCE_RUNNING, "the connection from the source dropped (" + e.getMessage()
                    + "); nothing runs here");
        }
    }

    /**
     * Writes the incoming disk image of {@code size} bytes to a temporary file beside the
     * factory's {@link DestinationVm.Factory#diskFile}, checks its length and SHA-256, and only
     * then renames it there; on any failure the temporary file goes.
     */
    private Path receiveDisk(long size) throws IOException, MigrationException {
        Path target = factory.diskFile();
        if (target == null) {
            throw abort(String.format(Locale.ROOT, "the VM has a disk image of %.1f MiB, and this destination was given no file "
                    + "to keep it in (vm receive --disk FILE)", size / 1048576.0));
        }
        target = target.toAbsolutePath();
        Path temp;
        try {
            temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
        } catch (IOException e) {
            throw abort("cannot write the disk image here: " + e.getMessage());
        }
        boolean kept = false;
        try {
            MessageDigest sha256 = Chunk.DiskEnd.digest();
            long done = 0;
            try (OutputStream out = Files.newOutputStream(temp)) {
                while (true) {
                    Chunk chunk = link.receive();
                    if (chunk instanceof Chunk.DiskEnd(byte[] expected)) {
                        if (done != size) throw abort("the disk image ended after " + done + " of " + size + " bytes");
                        if (!MessageDigest.isEqual(expected, sha256.digest())) throw abort("the disk image failed its SHA-256 check");
                        break;
                    }
                    if (chunk instanceof Chunk.Abort(String reason)) {
                        throw new MigrationException(SOURCE_RUNNING, "the source gave up: " + reason);
                    }
                    if (!(chunk instanceof Chunk.DiskData(byte[] bytes))) {
                        throw abort("unexpected " + chunk.getClass().getSimpleName() + " in the disk image");
                    }
                    if (done + bytes.length > size) throw abort("the disk image runs past its " + size + " bytes");
                    try {
                        out.write(bytes);
                    } catch (IOException e) {
                        throw abort("cannot write the disk image here: " + e.getMessage());
                    }
                    sha256.update(bytes);
                    done += bytes.length;
                    progress.update("disk image", done, size);
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            kept = true;
            return target;
        } finally {
            if (!kept) Files.deleteIfExists(temp);
        }
    }

    /** Receives pages and state until the VM can start; returns it running. */
    private DestinationVm land(Header header, DestinationVm vm, PostcopyDestination postcopy)
            throws IOException, MigrationException {
        PageWriter writer = new PageWriter(vm.memory());
        long landed = 0;
        byte[] state = null;
        while (true) {
            switch (link.receive()) {
                case Chunk.Pages p when postcopy != null -> throw abort("pages before the machine state in post-copy");
                case Chunk.Pages p -> {
                    landed += writer.apply(p.entries());
                    progress.update("receiving", landed * GuestMemory.PAGE_SIZE, -1);
                }
                case Chunk.RoundEnd r -> {
                    link.sendNow(new Chunk.RoundLanded(r.round()));
                    progress.update("round " + r.round(), landed * GuestMemory.PAGE_SIZE, landed * GuestMemory.PAGE_SIZE);
                    landed = 0;
                }
                case Chunk.MachineState s -> state = s.bytes();
                case Chunk.Complete _ -> {
                    if (state == null) throw abort("the source completed without sending the machine state");
                    long t0 = System.nanoTime(), restored, started;
                    try {
                        vm.restore(state);
                        restored = System.nanoTime();
                        vm.start();
                        started = System.nanoTime();
                    } catch (RuntimeException e) {
                        throw abort("could not start the VM here: " + e.getMessage());
                    }
                    link.sendNow(new Chunk.Running(restored - t0, started - restored));
                    if (postcopy != null) postcopy.startBackground();
                    return vm;
                }
                case Chunk.Abort a -> throw new MigrationException(SOURCE_RUNNING, "the source gave up: " + a.reason());
                case Chunk other -> throw abort("unexpected " + other.getClass().getSimpleName() + " from the source");
            }
        }
    }

    private MigrationException abort(String reason) throws IOException {
        link.sendNow(new Chunk.Abort(reason));
        return new MigrationException(SOURCE_RUNNING, reason + "; the source keeps the VM");
    }

    private String refusal(Header h) {
        if (h.version() != Header.VERSION) {
            return "stream version " + h.version() + ", this Vireo reads version " + Header.VERSION;
        }
        if (h.pageSize() != GuestMemory.PAGE_SIZE) return "page size " + h.pageSize() + ", this Vireo uses " + GuestMemory.PAGE_SIZE;
        long known = 0;
        for (PageEncoding e : PageEncoding.values()) known |= e.feature();
        if ((h.features() & ~known) != 0) return String.format(Locale.ROOT, "unknown stream features 0x%x", h.features() & ~known);
        if (h.memoryBytes() > memoryLimit) {
            return String.format(Locale.ROOT, "the VM has %d MiB of memory, this host offers %d MiB", h.memoryBytes() >> 20,
                    memoryLimit >> 20);
        }
        if (h.vcpus() < 1) return "a VM without vCPUs";
        return null;
    }

    private static void closeQuietly(Link link) {
        try {
            link.close();
        } catch (IOException e) {
            // the connection is done with either way
        }
    }
}
