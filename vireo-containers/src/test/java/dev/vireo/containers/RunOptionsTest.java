package dev.vireo.containers;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flags of {@code vireo run} that are parsed into values: volumes, sizes, CPUs. */
class RunOptionsTest {
    @Test
    void volumeIsHostContainerAndOptionalMode() {
        assertEquals(new BindMount(Path.of("/srv/data"), "/data", false), BindMount.parse("/srv/data:/data"));
        assertEquals(new BindMount(Path.of("/srv/data"), "/data", true), BindMount.parse("/srv/data/:/data:ro"));
        assertEquals(List.of("rbind", "rprivate", "ro"), BindMount.parse("/a:/b:ro").options());
        assertEquals(false, BindMount.parse("/a:/b:rw").readOnly());
    }

    @Test
    void malformedVolumesNameTheProblem() {
        for (String bad : List.of("/only", "named:/data", ":/data", "/a:relative", "/a:/", "/a:/b:rx", "/a:/b:ro:x")) {
            BadInputException e = assertThrows(BadInputException.class, () -> BindMount.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid volume '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void sizesTakeDockersUnits() {
        assertEquals(512L << 20, RunOptions.parseBytes("512m", "memory"));
        assertEquals(1L << 30, RunOptions.parseBytes("1G", "memory"));
        assertEquals(1536L << 20, RunOptions.parseBytes("1.5g", "memory"));
        assertEquals(4096, RunOptions.parseBytes("4096", "memory"));
        assertEquals(8L << 10, RunOptions.parseBytes("8KiB", "memory"));
        for (String bad : List.of("", "m", "12q", "-1m", "1.0000000001")) {
            assertThrows(BadInputException.class, () -> RunOptions.parseBytes(bad, "memory"), bad);
        }
        assertThrows(BadInputException.class, () -> RunOptions.builder().memory(1L << 20).build());
    }

    @Test
    void cpusAreBillionths() {
        assertEquals(1_500_000_000L, RunOptions.parseCpus("1.5"));
        assertEquals(10_000_000L, RunOptions.parseCpus("0.01"));
        assertEquals(150_000L, RunOptions.builder().nanoCpus(1_500_000_000L).build().cpuQuota());
        assertThrows(BadInputException.class, () -> RunOptions.parseCpus("0"));
        assertThrows(BadInputException.class, () -> RunOptions.parseCpus("two"));
    }

    @Test
    void hostnameMustBeOne() {
        assertThrows(BadInputException.class, () -> RunOptions.builder().hostname("a b").build());
        assertEquals("web-1.local", RunOptions.builder().hostname("web-1.local").build().hostname());
    }
}
