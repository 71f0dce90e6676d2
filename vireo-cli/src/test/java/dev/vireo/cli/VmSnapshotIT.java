package dev.vireo.cli;

import dev.vireo.vmm.KvmHost;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.vireo.cli.VmRunIT.vireo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code vireo vm} snapshots end to end: a guest paused midway through the API socket,
 * snapshotted, stopped, and restored in a new process prints the RESULT an uninterrupted run
 * prints; bad snapshot directories and dead sockets are one line each, on any machine.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class VmSnapshotIT {
    private static final String WORKLOAD = "primes 4000000000";

    /** The RESULT line without its timing fields, which differ from run to run. */
    static String result(String console) {
        return console.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .map(l -> Arrays.stream(l.split(" ")).filter(f -> !f.startsWith("cycles=") && !f.startsWith("us="))
                        .collect(Collectors.joining(" ")))
                .orElseThrow(() -> new AssertionError("no RESULT line in:\n" + console));
    }

    @Test
    @Tag("kvm")
    void aSnapshotTakenMidwayRestoresToTheSameResultInANewProcess(@TempDir Path dir) throws Exception {
        assumeTrue(KvmHost.unusableReason().isEmpty(), () -> KvmHost.unusableReason().get());
        VmRunIT.Result straight = vireo("vm", "run", "--memory", "64M", "--cmdline", WORKLOAD);
        assertEquals(0, straight.status(), straight.stderr());
        String expected = result(straight.stdout());

        Path socket = dir.resolve("api.sock"), snapshot = dir.resolve("snap");
        Process vm = new ProcessBuilder(Project.VIREO.toString(), "vm", "run", "--memory", "64M", "--cmdline", WORKLOAD,
                "--api-socket", socket.toString()).redirectError(dir.resolve("vm.err").toFile()).start();
        StringBuilder console = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(vm.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            for (; line != null && !line.contains("cmdline"); line = out.readLine()) console.append(line).append('\n');
            assertTrue(line != null, "the guest booted: " + console + Files.readString(dir.resolve("vm.err")));
            VmRunIT.Result paused = vireo("vm", "pause", "--api-socket", socket.toString());
            assertEquals(0, paused.status(), paused.stderr());
            VmRunIT.Result saved = vireo("vm", "snapshot", "--to", snapshot.toString(), "--api-socket", socket.toString());
            assertEquals(0, saved.status(), saved.stderr());
            assertEquals("snapshot written to " + snapshot, saved.stdout().strip());
            VmRunIT.Result stats = vireo("vm", "stats", "--api-socket", socket.toString());
            assertTrue(stats.stdout().startsWith("VM exits: "), stats.stdout());
            VmRunIT.Result stopped = vireo("vm", "stop", "--api-socket", socket.toString());
            assertEquals(0, stopped.status(), stopped.stderr());
            out.lines().forEach(rest -> console.append(rest).append('\n'));
        }
        assertEquals(0, vm.waitFor(), Files.readString(dir.resolve("vm.err")));
        assertFalse(console.toString().contains("RESULT"), "the first run was stopped before it finished:\n" + console);
        assertTrue(Files.notExists(socket), "the API socket goes with the VM");

        VmRunIT.Result restored = vireo("vm", "restore", "--from", snapshot.toString());
        assertEquals(0, restored.status(), restored.stderr());
        assertEquals(expected, result(restored.stdout()));
        assertFalse(restored.stdout().contains("cmdline"), "the restored guest continues, it does not boot again");
    }

    @Test
    void badSnapshotDirectoriesAreRefusedInOneLine(@TempDir Path dir) throws Exception {
        VmRunIT.Result r = vireo("vm", "restore", "--from", dir.resolve("none").toString());
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: snapshot " + dir.resolve("none") + ": no such directory");

        Path empty = Files.createDirectory(dir.resolve("empty"));
        r = vireo("vm", "restore", "--from", empty.toString());
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: snapshot " + empty + " is incomplete: manifest.json is missing");

        Path newer = Files.createDirectory(dir.resolve("newer"));
        Files.writeString(newer.resolve("manifest.json"), "{\"format\":\"vireo-vm-snapshot\",\"version\":2,\"files\":{}}");
        r = vireo("vm", "restore", "--from", newer.toString());
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: snapshot " + newer + " is format version 2; this Vireo reads version 1");

        Path damaged = Files.createDirectory(dir.resolve("damaged"));
        Files.writeString(damaged.resolve("manifest.json"), """
                {"format":"vireo-vm-snapshot","version":1,"files":{
                  "state":{"size":5,"crc32c":"00000000"},"memory":{"size":0,"crc32c":"00000000","extents":[]}}}""");
        Files.writeString(damaged.resolve("state"), "hello");
        Files.write(damaged.resolve("memory"), new byte[0]);
        r = vireo("vm", "restore", "--from", damaged.toString());
        assertEquals(2, r.status());
        assertTrue(r.stderr().startsWith("vireo vm: snapshot " + damaged + ": state does not match its checksum (CRC-32C "), r.stderr());
        assertEquals(List.of(), r.stdout().lines().toList(), "nothing started");
    }

    @Test
    void aMissingOrStaleApiSocketIsOneLineAndStatusOne(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.sock");
        VmRunIT.Result r = vireo("vm", "pause", "--api-socket", missing.toString());
        assertEquals(1, r.status());
        r.assertOneLineError("vireo vm: no VM API at " + missing + ": no such socket");

        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(stale));
        }
        r = vireo("vm", "stats", "--json", "--api-socket", stale.toString());
        assertEquals(1, r.status());
        r.assertOneLineError("vireo vm: no VM API at " + stale + ": nothing listens there (the VM has ended)");

        r = vireo("vm", "snapshot", "--api-socket", stale.toString());
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: vm snapshot: --to DIR names the snapshot directory");
    }
}
