package dev.vireo.cli;

import dev.vireo.vmm.KvmHost;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.vireo.cli.VmRunIT.vireo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code vireo vm migrate} between two processes on localhost: a guest moved by pre-copy while
 * it writes its memory prints the RESULT an unmigrated run prints; bad input is one line.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class VmMigrateIT {
    private static final String WORKLOAD = "memtouch 8 600 20";

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    @Tag("kvm")
    void aGuestMovedByPrecopyBetweenTwoProcessesPrintsTheUnmigratedResult(@TempDir Path dir) throws Exception {
        assumeTrue(KvmHost.unusableReason().isEmpty(), () -> KvmHost.unusableReason().get());
        VmRunIT.Result straight = vireo("vm", "run", "--memory", "64M", "--cmdline", "memtouch 8 600");
        assertEquals(0, straight.status(), straight.stderr());
        String expected = VmSnapshotIT.result(straight.stdout()).replace(" rate=0", "");

        int port = freePort();
        Path socket = dir.resolve("api.sock"), received = dir.resolve("dst.out"), plot = dir.resolve("rounds.svg");
        Process destination = new ProcessBuilder(Project.VIREO.toString(), "vm", "receive", "--listen", "127.0.0.1:" + port,
                "--memory", "64M", "--serial", received.toString()).redirectError(dir.resolve("dst.err").toFile()).start();
        Process source = new ProcessBuilder(Project.VIREO.toString(), "vm", "run", "--memory", "64M", "--cmdline", WORKLOAD,
                "--api-socket", socket.toString()).redirectError(dir.resolve("src.err").toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(source.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null && !line.contains("cmdline"); line = out.readLine()) { }
            VmRunIT.Result migrated = vireo("vm", "migrate", "--api-socket", socket.toString(), "--to", "127.0.0.1:" + port,
                    "--mode", "precopy", "--plot", plot.toString());
            assertEquals(0, migrated.status(), migrated.stderr());
            assertTrue(migrated.stdout().startsWith("migration (precopy) of 64.00 MiB"), migrated.stdout());
            assertTrue(Files.readString(plot).startsWith("<svg"), "the plot was written");
        }
        assertEquals(0, source.waitFor(), Files.readString(dir.resolve("src.err")));
        assertTrue(Files.readString(dir.resolve("src.err")).contains("the VM migrated to 127.0.0.1:" + port),
                Files.readString(dir.resolve("src.err")));
        assertEquals(0, destination.waitFor(), Files.readString(dir.resolve("dst.err")));
        assertEquals(expected, VmSnapshotIT.result(Files.readString(received)).replace(" rate=20", ""));
    }

    @Test
    void badMigrationInputIsOneLine(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.sock");
        VmRunIT.Result r = vireo("vm", "migrate", "--api-socket", missing.toString(), "--to", "127.0.0.1:1", "--mode", "precopy");
        assertEquals(1, r.status());
        r.assertOneLineError("vireo vm: no VM API at " + missing + ": no such socket");

        r = vireo("vm", "migrate", "--api-socket", missing.toString(), "--to", "127.0.0.1:1", "--mode", "sideways");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: unknown migration mode 'sideways' (cold, nonlive, precopy, postcopy)");

        r = vireo("vm", "migrate", "--api-socket", missing.toString(), "--to", "nowhere", "--mode", "precopy");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: --to takes HOST:PORT, not \"nowhere\"");

        r = vireo("vm", "migrate", "--api-socket", missing.toString(), "--to", "h:1", "--mode", "precopy", "--compress", "lz4,zstd");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: --compress takes one of lz4 and zstd");

        r = vireo("vm", "receive", "--listen", "127.0.0.1:99999");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: --listen takes HOST:PORT, not \"127.0.0.1:99999\"");

        r = vireo("vm", "receive", "--listen", "127.0.0.1:1", "--memory", "lots");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: memory size 'lots' is not a size such as 256M or 1G");

        Path taken = Files.createFile(dir.resolve("taken.img"));
        r = vireo("vm", "receive", "--listen", "127.0.0.1:1", "--disk", taken.toString());
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: --disk " + taken + " exists already; name a new file for the disk image");

        r = vireo("vm", "receive", "--listen", "127.0.0.1:1", "--disk", dir.resolve("no/such.img").toString());
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: --disk " + dir.resolve("no/such.img") + ": no directory " + dir.resolve("no"));

        r = vireo("vm", "migrate", "--api-socket", missing.toString(), "--to", "h:1", "--mode", "postcopy", "--postcopy-bandwidth", "0");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: --postcopy-bandwidth takes a positive number, not \"0\"");
    }
}
