package dev.vireo.vmm.devices;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RateLimitedLogTest {

    @Test
    void countsEveryEventButLogsABurstPerInterval() {
        List<String> lines = new ArrayList<>();
        long[] now = {0};
        RateLimitedLog log = new RateLimitedLog(lines::add, () -> now[0], 2, 1000);
        for (int i = 0; i < 5; i++) log.report("bad chain");
        assertEquals(List.of("bad chain (1 so far)", "bad chain (2 so far)"), lines);
        assertEquals(5, log.count());
        now[0] = 1000;
        log.report("bad chain");
        assertEquals("bad chain (6 so far, 3 more not logged)", lines.getLast());
        log.report("bad chain");
        assertEquals("bad chain (7 so far)", lines.getLast());
        assertEquals(4, lines.size());
    }
}
