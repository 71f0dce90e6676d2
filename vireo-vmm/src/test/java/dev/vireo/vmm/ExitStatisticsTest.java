package dev.vireo.vmm;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExitStatisticsTest {
    private final ExitStatistics stats = new ExitStatistics(12, 3000, 90000, 1,
            List.of(new ExitStatistics.Reason("IO", 11, 2500), new ExitStatistics.Reason("HLT", 1, 500)),
            List.of(new ExitStatistics.Port(0x3f8, "uart0", 0, 9, 2000), new ExitStatistics.Port(0x2f8, null, 1, 0, 100),
                    new ExitStatistics.Port(0xf4, "exit", 0, 1, 400)),
            List.of());

    @Test
    void tableNamesReasonsPortsAndUnclaimedPorts() {
        String table = StatisticsReport.table(stats);
        assertTrue(table.startsWith("VM exits: 12, handled in 0.003 ms of VMM time"), table);
        assertTrue(table.contains("  IO                           11   91.7%"), table);
        assertTrue(table.contains("0x3f8    uart0                   0            9"), table);
        assertTrue(table.contains("0x2f8    (unclaimed)"), table);
    }

    @Test
    void jsonHasTotalsAndOneObjectPerPort() {
        String json = StatisticsReport.json(stats);
        assertTrue(json.startsWith("{\"exits\":12,\"vmm_ns\":3000,\"guest_ns\":90000,\"unclaimed_accesses\":1,\"reasons\":[{\"name\":\"IO\""), json);
        assertTrue(json.contains("{\"port\":760,\"device\":null,\"reads\":1,\"writes\":0,\"vmm_ns\":100}"), json);
        assertTrue(json.endsWith("\"mmio_pages\":[]}"), json);
        assertEquals(11, stats.count("IO"));
    }

    @Test
    void resultLinesParseIntoOrderedFields() {
        GuestResult r = GuestResult.parse("RESULT workload=primes n=100000 count=9592");
        assertEquals(Map.of("workload", "primes", "n", "100000", "count", "9592"), r.fields());
        assertEquals("primes", r.workload());
        assertEquals("{\"workload\":\"primes\",\"n\":\"100000\",\"count\":\"9592\"}", StatisticsReport.resultJson(r.fields()));
        assertThrows(IllegalArgumentException.class, () -> GuestResult.parse("hello"));
    }

    @Test
    void memorySizesParseLikeQemusAndImpossibleOnesAreRefused() {
        assertEquals(128L << 20, VmConfig.parseMemory("128"));
        assertEquals(256L << 20, VmConfig.parseMemory("256M"));
        assertEquals(1L << 30, VmConfig.parseMemory("1g"));
        assertEquals(4L << 20, VmConfig.parseMemory("4096K"));
        assertEquals("memory size 'lots' is not a size such as 256M or 1G",
                assertThrows(VmConfigException.class, () -> VmConfig.parseMemory("lots")).getMessage());
        assertEquals("memory size '1M' is too small: a VM needs at least 2M",
                assertThrows(VmConfigException.class, () -> VmConfig.parseMemory("1M")).getMessage());
        assertEquals("memory size '2049K' is not a whole number of 4 KiB pages",
                assertThrows(VmConfigException.class, () -> VmConfig.parseMemory("2049K")).getMessage());
        assertTrue(assertThrows(VmConfigException.class, () -> VmConfig.parseMemory("64T")).getMessage()
                .contains("is more than this host's"));
    }
}
