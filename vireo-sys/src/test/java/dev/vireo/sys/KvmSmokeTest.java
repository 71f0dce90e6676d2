package dev.vireo.sys;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Needs /dev/kvm: scripts/test runs it in scripts/kvm-testbed where the machine has none. */
@Tag("kvm")
class KvmSmokeTest {

    @BeforeAll
    static void needsKvm() {
        boolean present = Files.exists(Path.of("/dev/kvm"));
        if (!present) System.err.println("KvmSmokeTest skipped: no /dev/kvm (scripts/kvm-tests runs it in the testbed)");
        assumeTrue(present, "no /dev/kvm on this machine");
    }

    @Test
    void realModeGuestWritesToTheSerialPortThenHalts() {
        KvmSmoke.Trace trace = KvmSmoke.run();
        assertEquals(12, trace.apiVersion());
        assertEquals(List.of(new KvmSmoke.Exit(KvmSmoke.EXIT_IO, 0x3f8, 'K'), new KvmSmoke.Exit(KvmSmoke.EXIT_HLT, 0, 0)),
                trace.exits());
    }
}
