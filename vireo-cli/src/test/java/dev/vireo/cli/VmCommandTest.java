package dev.vireo.cli;

import dev.vireo.vmm.ExitSample;
import dev.vireo.vmm.GuestResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The io comparison table joins the guest's RESULT lines with the exit samples taken at its port reads. */
class VmCommandTest {

    private static String table(List<GuestResult> results, List<ExitSample> samples) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        VmCommand.printIoComparison(results, samples, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static final List<GuestResult> IO = List.of(
            GuestResult.parse("RESULT workload=io path=uart kib=4 exits=4352 exits_per_kib=1088.00 us=2000000"),
            GuestResult.parse("RESULT workload=io path=virtio-console kib=4 exits=2 exits_per_kib=0.50 us=1000"),
            GuestResult.parse("RESULT workload=io path=virtio-blk kib=4 exits=0 exits_per_kib=0.00 us=2000"));

    @Test
    void printsEachPathWithItsRatiosAndKvmsCountOfAllExits() {
        List<ExitSample> samples = List.of(new ExitSample(10, 100), new ExitSample(4363, 4461),
                new ExitSample(4364, 4470), new ExitSample(4367, 4479), new ExitSample(4368, 4490), new ExitSample(4369, 4499));
        assertEquals("""

                I/O paths (exits: the VMM's, per phase; all exits: KVM's, with those it handles itself; virtio-blk writes, flushes and reads back):
                I/O path         KiB   exits   exits/KiB   vs UART   all exits/KiB   time        throughput
                uart             4     4352    1088.00     1.00      1090.00         2000.0 ms   2.0 KiB/s
                virtio-console   4     2       0.50        1/2176    2.00            1.0 ms      4000.0 KiB/s
                virtio-blk       4     0       0.00        0         2.00            2.0 ms      4000.0 KiB/s
                """, table(IO, samples));
    }

    @Test
    void withoutMatchingSamplesTheKvmColumnStaysEmptyAndOtherWorkloadsPrintNothing() {
        String t = table(IO, List.of());
        assertEquals("virtio-blk       4     0       0.00        0         -               2.0 ms      4000.0 KiB/s", t.strip().lines().toList().getLast());
        assertEquals("", table(List.of(GuestResult.parse("RESULT workload=hello cpl=3")), List.of()));
    }
}
