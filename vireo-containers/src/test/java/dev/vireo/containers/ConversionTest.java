package dev.vireo.containers;

import dev.vireo.image.ImageConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The conversion of image-spec conversion.md, field by field, with the caller's options on top. */
class ConversionTest {
    @TempDir
    Path rootfs;

    @BeforeEach
    void passwdAndGroup() throws IOException {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                # a comment, and a malformed line follow
                broken
                daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
                app:x:1000:1000:App:/home/app:/bin/sh
                """);
        Files.writeString(rootfs.resolve("etc/group"), """
                root:x:0:
                wheel:x:10:root,app
                app:x:1000:
                audio:x:29:app
                staff:x:50:
                """);
    }

    private static ImageConfig image(ImageConfig.Container c) {
        return new ImageConfig("2024-01-02T03:04:05Z", "someone", "amd64", "linux", null, c,
                new ImageConfig.RootFs("layers", List.of()), List.of());
    }

    private static ImageConfig.Container container(List<String> entrypoint, List<String> cmd) {
        return new ImageConfig.Container(null, null, List.of("PATH=/opt/bin:/bin", "A=image"), entrypoint, cmd, null,
                "/srv", null, null, null, null, null, null);
    }

    private RuntimeSpec convert(ImageConfig config, RunOptions options) {
        return RuntimeSpecs.fromImage(config, rootfs, options);
    }

    private RuntimeSpec convert(ImageConfig config) {
        return convert(config, RunOptions.builder().build());
    }

    private RuntimeSpec.User user(String spec) {
        return convert(image(container(null, List.of("true"))), RunOptions.builder().user(spec).build()).process().user();
    }

    @Test
    void cmdIsAppendedToEntrypoint() {
        RuntimeSpec spec = convert(image(container(List.of("/bin/sh", "-c"), List.of("echo hi"))));
        assertEquals(List.of("/bin/sh", "-c", "echo hi"), spec.process().args());
    }

    @Test
    void entrypointOrCmdAloneIsTheCommand() {
        assertEquals(List.of("/bin/true"), convert(image(container(List.of("/bin/true"), null))).process().args());
        assertEquals(List.of("ls", "-l"), convert(image(container(null, List.of("ls", "-l")))).process().args());
    }

    @Test
    void givenCommandReplacesCmdButKeepsEntrypoint() {
        RuntimeSpec spec = convert(image(container(List.of("/entry"), List.of("default"))),
                RunOptions.builder().cmd(List.of("other", "arg")).build());
        assertEquals(List.of("/entry", "other", "arg"), spec.process().args());
    }

    @Test
    void givenEntrypointDropsTheImagesCmd() {
        RuntimeSpec spec = convert(image(container(List.of("/entry"), List.of("default"))),
                RunOptions.builder().entrypoint(List.of("/other")).build());
        assertEquals(List.of("/other"), spec.process().args());
        RuntimeSpec reset = convert(image(container(List.of("/entry"), List.of("default"))),
                RunOptions.builder().entrypoint(List.of()).cmd(List.of("sh")).build());
        assertEquals(List.of("sh"), reset.process().args());
    }

    @Test
    void noCommandAnywhereIsAnError() {
        BadInputException e = assertThrows(BadInputException.class, () -> convert(image(container(null, null))));
        assertTrue(e.getMessage().contains("no command"), e.getMessage());
    }

    @Test
    void envKeepsTheImagesEntriesAndTheCallersReplaceInPlace() {
        RuntimeSpec spec = convert(image(container(null, List.of("true"))),
                RunOptions.builder().env("A=caller").env("B=new").hostname("box").build());
        List<String> env = spec.process().env();
        assertEquals(List.of("PATH=/opt/bin:/bin", "A=caller", "B=new", "HOSTNAME=box", "container=vireo"), env);
    }

    @Test
    void defaultsNeverReplaceAnImageVariable() {
        ImageConfig.Container c = new ImageConfig.Container(null, null, List.of("HOSTNAME=fixed", "TERM=dumb", "container=x"),
                null, List.of("true"), null, null, null, null, null, null, null, null);
        List<String> env = convert(image(c), RunOptions.builder().hostname("box").terminal(true).build()).process().env();
        assertEquals(List.of("HOSTNAME=fixed", "TERM=dumb", "container=x", "PATH=" + RuntimeSpecs.DEFAULT_PATH), env);
    }

    @Test
    void malformedEnvironmentEntryIsRefused() {
        assertThrows(BadInputException.class, () -> RunOptions.builder().env("=x").build());
        assertThrows(BadInputException.class, () -> RunOptions.builder().env("NOVALUE").build());
    }

    @Test
    void workingDirBecomesCwdAndWOverridesIt() {
        assertEquals("/srv", convert(image(container(null, List.of("true")))).process().cwd());
        assertEquals("/tmp", convert(image(container(null, List.of("true"))), RunOptions.builder().workdir("/tmp").build())
                .process().cwd());
        ImageConfig.Container none = new ImageConfig.Container(null, null, null, null, List.of("true"), null, null, null,
                null, null, null, null, null);
        assertEquals("/", convert(image(none)).process().cwd());
        assertThrows(BadInputException.class, () -> RunOptions.builder().workdir("relative").build());
    }

    @Test
    void userByNameGetsPasswdIdsAndTheGroupsListingIt() {
        assertEquals(new RuntimeSpec.User(1000, 1000, List.of(10L, 29L)), user("app"));
    }

    @Test
    void numericUserIsVerbatimWithoutSupplementaryGroups() {
        assertEquals(new RuntimeSpec.User(1000, 1000, List.of()), user("1000"));
        assertEquals(new RuntimeSpec.User(4242, 0, List.of()), user("4242"));
    }

    @Test
    void userWithGroupTakesThatGroupAndNoOthers() {
        assertEquals(new RuntimeSpec.User(1000, 50, List.of()), user("app:staff"));
        assertEquals(new RuntimeSpec.User(1000, 29, List.of()), user("app:29"));
        assertEquals(new RuntimeSpec.User(7, 50, List.of()), user("7:staff"));
        assertEquals(new RuntimeSpec.User(7, 8, List.of()), user("7:8"));
    }

    @Test
    void noUserIsRootWithRootsGroups() {
        assertEquals(new RuntimeSpec.User(0, 0, List.of(10L)), user(null));
    }

    @Test
    void imageUserIsResolvedAndMinusUOverridesIt() {
        ImageConfig.Container c = new ImageConfig.Container("daemon", null, null, null, List.of("true"), null, null,
                null, null, null, null, null, null);
        assertEquals(new RuntimeSpec.User(1, 1, List.of()), convert(image(c)).process().user());
        assertEquals(new RuntimeSpec.User(1000, 1000, List.of(10L, 29L)),
                convert(image(c), RunOptions.builder().user("app").build()).process().user());
    }

    @Test
    void unknownUserOrGroupIsAnError() {
        BadInputException user = assertThrows(BadInputException.class, () -> user("nobody"));
        assertEquals("unable to find user nobody: no matching entries in passwd file", user.getMessage());
        BadInputException group = assertThrows(BadInputException.class, () -> user("app:nogroup"));
        assertEquals("unable to find group nogroup: no matching entries in group file", group.getMessage());
        assertThrows(BadInputException.class, () -> user("app:"));
        assertThrows(BadInputException.class, () -> user(":0"));
        assertThrows(BadInputException.class, () -> user("4294967295"));
    }

    @Test
    void noPasswdFileStillTakesNumbersButNoNames() throws IOException {
        Files.delete(rootfs.resolve("etc/passwd"));
        assertEquals(new RuntimeSpec.User(0, 0, List.of()), user(null));
        assertEquals(new RuntimeSpec.User(5, 6, List.of()), user("5:6"));
        assertThrows(BadInputException.class, () -> user("app"));
    }

    @Test
    void passwdLinkedOutOfTheRootIsReadInsideIt() throws IOException {
        Path etc = rootfs.resolve("etc");
        Files.move(etc.resolve("passwd"), etc.resolve("real-passwd"));
        // From inside the container both lead to its own /etc/real-passwd; from the host the
        // first would climb out of the root filesystem.
        Files.createSymbolicLink(etc.resolve("passwd"), Path.of("../../../../../../etc/real-passwd"));
        assertEquals(new RuntimeSpec.User(1000, 1000, List.of(10L, 29L)), user("app"));
        Files.delete(etc.resolve("passwd"));
        Files.createSymbolicLink(etc.resolve("passwd"), Path.of("/etc/real-passwd"));
        assertEquals(1000, user("app").uid());
    }

    @Test
    void implicitAnnotationsFromTheConfigAndLabelsWin() {
        Map<String, Map<String, Object>> ports = new LinkedHashMap<>();
        ports.put("80/tcp", Map.of());
        ports.put("53/udp", Map.of());
        ImageConfig.Container c = new ImageConfig.Container(null, ports, null, null, List.of("true"), null, null,
                Map.of("org.opencontainers.image.author", "label-author", "custom", "v"), "SIGTERM", null, null, null, null);
        ImageConfig config = new ImageConfig("2024-01-02T03:04:05Z", "someone", "arm64", "linux", "v8", c, null, null);
        Map<String, String> a = convert(config).annotations();
        assertEquals("linux", a.get("org.opencontainers.image.os"));
        assertEquals("arm64", a.get("org.opencontainers.image.architecture"));
        assertEquals("v8", a.get("org.opencontainers.image.variant"));
        assertEquals("2024-01-02T03:04:05Z", a.get("org.opencontainers.image.created"));
        assertEquals("SIGTERM", a.get("org.opencontainers.image.stopSignal"));
        assertEquals("80/tcp,53/udp", a.get("org.opencontainers.image.exposedPorts"));
        assertEquals("label-author", a.get("org.opencontainers.image.author"));
        assertEquals("v", a.get("custom"));
    }

    @Test
    void volumesBecomeAnonymousMountsUnlessABindTakesThePath(@TempDir Path host) {
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        volumes.put("/data", Map.of());
        volumes.put("/var/cache/app/", Map.of());
        ImageConfig.Container c = new ImageConfig.Container(null, null, null, null, List.of("true"), volumes, null,
                null, null, null, null, null, null);
        Path vols = Path.of("/state/volumes");
        RuntimeSpec spec = convert(image(c), RunOptions.builder().volumes(vols)
                .bind(BindMount.parse(host + ":/data:ro")).bind(BindMount.parse(host + ":/dev/shm")).build());
        Map<String, RuntimeSpec.Mount> byDestination = new LinkedHashMap<>();
        for (RuntimeSpec.Mount m : spec.mounts()) assertNull(byDestination.put(m.destination(), m), m.destination());
        assertEquals(new RuntimeSpec.Mount("/data", "bind", host.toString(), List.of("rbind", "rprivate", "ro")),
                byDestination.get("/data"));
        assertEquals(new RuntimeSpec.Mount("/var/cache/app", "bind", "/state/volumes/var%2Fcache%2Fapp",
                List.of("rbind", "rprivate")), byDestination.get("/var/cache/app"));
        assertEquals("bind", byDestination.get("/dev/shm").type());
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/sys/fs/cgroup", "/var/cache/app",
                "/data", "/dev/shm"), List.copyOf(byDestination.keySet()));
        assertTrue(convert(image(c)).mounts().stream().noneMatch(m -> m.destination().equals("/data")),
                "no volume directory given: no volume mounts");
    }

    @Test
    void limitsAndNamespaces() {
        RuntimeSpec spec = convert(image(container(null, List.of("true"))), RunOptions.builder()
                .memory(RunOptions.parseBytes("64m", "memory")).nanoCpus(RunOptions.parseCpus("1.5")).pidsLimit(10L).build());
        assertEquals(new RuntimeSpec.Resources(64L << 20, null, 150_000L, 100_000L, 10L), spec.linux().resources());
        assertTrue(spec.linux().namespaces().containsAll(List.of("pid", "ipc", "uts", "mount", "network")));
        assertFalse(convert(image(container(null, List.of("true"))), RunOptions.builder().hostNetwork(true).build())
                .linux().namespaces().contains("network"));
        assertEquals(2048L, convert(image(container(null, List.of("true")))).linux().resources().pids());
        assertNull(convert(image(container(null, List.of("true"))), RunOptions.builder().pidsLimit(0L).build())
                .linux().resources().pids());
    }

    @Test
    void configJsonHasTheFieldsTheRuntimeReads() {
        RuntimeSpec spec = convert(image(container(null, List.of("true"))), RunOptions.builder().user("app").build());
        String json = new String(spec.toJson(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"ociVersion\" : \"1.2.1\""), json);
        assertTrue(json.contains("\"uid\" : 1000"), json);
        assertTrue(json.contains("\"additionalGids\" : [ 10, 29 ]"), json);
        assertTrue(json.contains("\"effective\" : [ ]"), "a non-root user starts with no effective capabilities");
        assertTrue(json.contains("\"defaultAction\""), "the seccomp profile is in");
        assertTrue(json.contains("\"path\" : \"" + rootfs + "\""), json);
    }
}
