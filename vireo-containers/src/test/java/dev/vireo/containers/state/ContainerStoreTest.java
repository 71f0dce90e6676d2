package dev.vireo.containers.state;

import dev.vireo.containers.BadInputException;
import dev.vireo.containers.Container;
import dev.vireo.containers.NoSuchContainerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Containers on disk: records, unique names, references by name, ID and prefix. */
class ContainerStoreTest {
    @TempDir
    Path root;

    private static Container container(String id, String name) {
        return new Container(id, name, "busybox", "sha256:" + "ab".repeat(32), Instant.parse("2024-01-01T00:00:00Z"),
                List.of("sh", "-c", "echo hi"), new Container.Config(List.of("PATH=/bin"), null, List.of("sh"), "/", null),
                "SIGTERM", false, false, false, Container.Status.CREATED, 0, 0, 0, 0, null, null, null, false, null);
    }

    @Test
    void recordSurvivesARoundTrip() throws IOException {
        ContainerStore store = new ContainerStore(root);
        Container c = container(store.newId(), "web").started(42, 1000, 41, 999, Instant.parse("2024-01-01T00:00:01Z"));
        store.create(c);
        assertEquals(c, store.load(c.id()));
        Container done = c.exited(137, true, Instant.parse("2024-01-01T00:00:02Z"), null);
        store.save(done);
        assertEquals(done, store.load(c.id()));
    }

    @Test
    void namesAreUniqueAndFreedByRemoval() throws IOException {
        ContainerStore store = new ContainerStore(root);
        Container first = container(store.newId(), "web");
        store.create(first);
        Container second = container(store.newId(), "web");
        BadInputException e = assertThrows(BadInputException.class, () -> store.create(second));
        assertTrue(e.getMessage().contains("already in use by container " + first.shortId()), e.getMessage());
        assertFalse(Files.exists(store.dir(second.id())), "the refused container left nothing");
        store.delete(first);
        assertNull(store.load(first.id()));
        store.create(second);
        assertEquals(second.id(), store.find("web").id());
    }

    @Test
    void aNameLinkLeftByACrashIsTakenOver() throws IOException {
        ContainerStore store = new ContainerStore(root);
        Files.createDirectories(store.directory().resolve("names"));
        Files.createSymbolicLink(store.directory().resolve("names/web"), Path.of("f".repeat(64)));
        Container c = container(store.newId(), "web");
        store.create(c);
        assertEquals(c.id(), store.find("web").id());
    }

    @Test
    void findsByNameIdAndUniquePrefix() throws IOException {
        ContainerStore store = new ContainerStore(root);
        Container a = container("abc" + "0".repeat(61), "a"), b = container("abd" + "0".repeat(61), "b");
        store.create(a);
        store.create(b);
        assertEquals(a.id(), store.find("a").id());
        assertEquals(b.id(), store.find(b.id()).id());
        assertEquals(a.id(), store.find("abc").id());
        assertTrue(assertThrows(BadInputException.class, () -> store.find("ab")).getMessage().contains("ambiguous"));
        assertThrows(NoSuchContainerException.class, () -> store.find("nosuch"));
        assertThrows(NoSuchContainerException.class, () -> store.find("ffff"));
    }

    @Test
    void badNamesAreRefused() {
        for (String bad : List.of("-x", "a b", "a/b", "", "e".repeat(64))) {
            assertThrows(BadInputException.class, () -> ContainerStore.checkName(bad), bad);
        }
    }

    @Test
    void newIdsAreSixtyFourHexDigitsNotReadingAsNumbers() {
        String id = new ContainerStore(root).newId();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        assertFalse(id.substring(0, 12).chars().allMatch(Character::isDigit));
    }
}
