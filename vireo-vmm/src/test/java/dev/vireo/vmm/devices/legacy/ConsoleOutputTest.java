package dev.vireo.vmm.devices.legacy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConsoleOutputTest {

    @Test
    void writesWholeLinesAndKeepsResultLines() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ConsoleOutput console = new ConsoleOutput(out)) {
            for (byte b : "boot\nRESULT workload=hello cpl=3\nRESULTS no\n RESULT no\npartial".getBytes()) console.write(b);
            assertEquals("boot\nRESULT workload=hello cpl=3\nRESULTS no\n RESULT no\n", out.toString(), "only whole lines so far");
            assertEquals(List.of("RESULT workload=hello cpl=3"), console.resultLines());
        }
        assertEquals("boot\nRESULT workload=hello cpl=3\nRESULTS no\n RESULT no\npartial", out.toString(), "close flushes the rest");
    }
}
