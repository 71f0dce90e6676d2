package dev.vireo.vmm;

import dev.vireo.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationReportTest {
    static final MigrationReport REPORT = new MigrationReport(MigrationMode.PRECOPY, 64L << 20,
            List.of(new MigrationReport.Round(1, 16384, 2062, 190_000, 5_039_800_000L, false),
                    new MigrationReport.Round(2, 2062, 2062, 940_000, 1_521_100_000L, false),
                    new MigrationReport.Round(3, 2062, 0, 136_000, 349_200_000L, true)),
            9_258_000_000L, 812_500_000L, 2_346_300_000L, 1_280_000, MigrationReport.Postcopy.NONE,
            List.of(new MigrationReport.Encoding(PageEncoding.ZERO, 14298, 14298L * 4096, 300),
                    new MigrationReport.Encoding(PageEncoding.XBZRLE, 4124, 4124L * 4096, 1_070_000)),
            List.of(new MigrationReport.Phase("last pages", 349_200_000L), new MigrationReport.Phase("state capture", 1_500_000),
                    new MigrationReport.Phase("destination restore", 1_995_600_000L)));

    @Test
    void theJsonReadsBackToTheSameReport() throws Exception {
        assertEquals(REPORT, MigrationReport.fromJson(Json.parse(REPORT.json().getBytes(java.nio.charset.StandardCharsets.UTF_8), "the report")));
    }

    @Test
    void theTableSaysRoundsDowntimeAndSavings() {
        String table = REPORT.table();
        assertTrue(table.startsWith("migration (precopy) of 64.00 MiB: total 9258.0 ms (handshake 812.5 ms), downtime 2346.3 ms, "
                + "1.22 MiB on the wire"), table);
        assertTrue(table.contains("3*             2062              0"), table);
        assertTrue(table.contains("downtime: last pages 349.2 ms, state capture 1.5 ms, destination restore 1995.6 ms\n"), table);
        assertTrue(table.contains("xbzrle         4124    16.11 MiB     1.02 MiB    15.09 MiB"), table);
        assertEquals(3 * 2, REPORT.svg().split("<rect").length - 1, "two bars a round");
    }
}
