package dev.vireo.runtime;

import dev.vireo.runtime.spec.LinuxSpec;
import dev.vireo.runtime.spec.ProcessSpec;
import dev.vireo.runtime.spec.Resources;
import dev.vireo.runtime.spec.Spec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad bundles and bad requests: one line naming the field (or the container), and afterwards
 * nothing left behind: no mount, cgroup, state, process or namespace.
 */
class BadInputTest {
    private static ContainerRuntime runtime;

    @BeforeAll
    static void setUp() {
        Fixtures.requireRoot();
        runtime = Fixtures.runtime();
    }

    /** Creates a container from {@code spec}; returns the failure's message after checking nothing was left. */
    private static <E extends RuntimeException> String refused(Class<E> type, Path dir, Spec spec) {
        Path bundle = Fixtures.bundle(dir, spec);
        return refused(type, () -> runtime.create(Fixtures.id("bad"), bundle, CreateOptions.withStdio(Stdio.nothing())));
    }

    private static <E extends RuntimeException> String refused(Class<E> type, Runnable operation) {
        Leftovers before = Leftovers.capture();
        E e = assertThrows(type, operation::run);
        assertEquals(before, Leftovers.capture(), "a failed operation leaves the host as it was");
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private static Spec edit(UnaryOperator<ProcessSpec> process) {
        Spec s = Fixtures.spec("true");
        return s.withProcess(process.apply(s.process()));
    }

    private static Spec namespaces(LinuxSpec.Namespace... extra) {
        Spec s = Fixtures.spec("true");
        List<LinuxSpec.Namespace> all = new ArrayList<>(s.linux().namespaces());
        all.addAll(List.of(extra));
        return s.withLinux(s.linux().withNamespaces(all));
    }

    @Test
    void aConfigThatDoesNotParseIsRefusedWithItsPosition(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"ociVersion\": \"1.2.0\",\n \"process\": {\"args\": [\"sh\"],,}}");
        String message = refused(ConfigException.class, () -> runtime.create("parse", dir, CreateOptions.defaults()));
        assertTrue(message.startsWith("config.json: not valid JSON at line 2, column "), message);
    }

    @Test
    void aValueOfTheWrongTypeNamesItsField(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": \"sh\"}}");
        assertEquals("process.args: expected an array",
                refused(ConfigException.class, () -> runtime.create("type", dir, CreateOptions.defaults())));
    }

    @Test
    void aRelativeWorkingDirectoryIsRefused(@TempDir Path dir) {
        assertEquals("process.cwd: must be an absolute path, not \"tmp\"",
                refused(ConfigException.class, dir, edit(p -> p.withCwd("tmp"))));
    }

    @Test
    void aDuplicateNamespaceIsRefused(@TempDir Path dir) {
        assertEquals("linux.namespaces[5].type: namespace pid appears twice",
                refused(ConfigException.class, dir, namespaces(new LinuxSpec.Namespace("pid"))));
    }

    @Test
    void anUnknownNamespaceTypeIsRefused(@TempDir Path dir) {
        assertEquals("linux.namespaces[5].type: unknown namespace type \"users\"",
                refused(ConfigException.class, dir, namespaces(new LinuxSpec.Namespace("users"))));
    }

    @Test
    void aNamespacePathOfTheWrongTypeIsRefused(@TempDir Path dir) {
        Spec s = Fixtures.spec("true");
        List<LinuxSpec.Namespace> all = new ArrayList<>(s.linux().namespaces());
        all.set(1, new LinuxSpec.Namespace("network", "/proc/self/ns/uts"));
        assertEquals("linux.namespaces[1].path: /proc/self/ns/uts is a uts namespace, not network",
                refused(ConfigException.class, dir, s.withLinux(s.linux().withNamespaces(all))));
    }

    @Test
    void aDuplicateRlimitIsRefused(@TempDir Path dir) {
        ProcessSpec.Rlimit limit = new ProcessSpec.Rlimit("RLIMIT_NOFILE", BigInteger.valueOf(512), BigInteger.valueOf(512));
        assertEquals("process.rlimits[1].type: RLIMIT_NOFILE appears twice",
                refused(ConfigException.class, dir, edit(p -> p.withRlimits(List.of(limit, limit)))));
    }

    @Test
    void anRlimitAboveWhatTheHostGrantsIsRefusedBeforeAnythingIsCreated(@TempDir Path dir) throws IOException {
        boolean canRaise = (Long.parseUnsignedLong(Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow().substring(7).trim(), 16) >>> 24 & 1) == 1;
        if (canRaise) {
            System.err.println("skipped: this host grants CAP_SYS_RESOURCE, so any hard limit can be raised");
            return;
        }
        BigInteger huge = BigInteger.valueOf(1L << 40);
        String message = refused(ConfigException.class, dir,
                edit(p -> p.withRlimits(List.of(new ProcessSpec.Rlimit("RLIMIT_NOFILE", huge, huge)))));
        assertTrue(message.startsWith("process.rlimits[0].hard: RLIMIT_NOFILE 1099511627776 is above this host's hard limit"),
                message);
    }

    @Test
    void aSysctlOfTheHostIsRefused(@TempDir Path dir) {
        Spec s = Fixtures.spec("true");
        assertEquals("linux.sysctl.vm.swappiness: is not namespaced: setting it would change the host",
                refused(ConfigException.class, dir, s.withLinux(s.linux().withSysctl(Map.of("vm.swappiness", "10")))));
    }

    @Test
    void aBundleThatDoesNotExistIsRefused() {
        String message = refused(ConfigException.class,
                () -> runtime.create("nobundle", Path.of("/nonexistent/bundle"), CreateOptions.defaults()));
        assertEquals("bundle /nonexistent/bundle does not exist or is not a directory", message);
    }

    @Test
    void aMissingProgramFailsCreateAndLeavesNothing(@TempDir Path dir) {
        String message = refused(ContainerException.class, dir, edit(p -> p.withArgs(List.of("/bin/nope"))));
        assertEquals("exec: /bin/nope is not an executable file: ENOENT (No such file or directory)", message);
    }

    @Test
    void aMountTheKernelRefusesFailsCreateAndLeavesNothing(@TempDir Path dir) {
        Spec s = Fixtures.spec("true");
        List<Spec.Mount> mounts = new ArrayList<>(s.mounts());
        mounts.add(new Spec.Mount("/mnt", "nosuchfs", "none", List.of()));
        assertEquals("mount nosuchfs none on /mnt: ENODEV (No such device)",
                refused(ContainerException.class, dir, s.withMounts(mounts)));
    }

    @Test
    void aFailingCreateRuntimeHookFailsCreateAndLeavesNothing(@TempDir Path dir) {
        Spec s = Fixtures.spec("true");
        Spec.Hook hook = new Spec.Hook("/bin/sh", List.of("sh", "-c", "echo refused by the hook; exit 3"), null, null);
        String message = refused(ContainerException.class, dir,
                s.withHooks(new Spec.Hooks(null, List.of(hook), null, null, null, null)));
        assertEquals("hooks.createRuntime[0] (/bin/sh) failed with exit status 3: refused by the hook", message);
    }

    @Test
    void aCgroupValueTheKernelRefusesFailsCreateAndLeavesNothing(@TempDir Path dir) {
        Spec s = Fixtures.spec("true");
        Resources r = s.linux().resources().withCpu(new Resources.Cpu(null, null, null, null, null, null, "4095", null, null));
        String message = refused(ContainerException.class, dir, s.withLinux(s.linux().withResources(r)));
        assertTrue(message.startsWith("linux.resources.cpu.cpus: writing 4095 to "), message);
    }

    @Test
    void anIdThatExistsIsRefusedAndTheExistingContainerIsUntouched(@TempDir Path dir) {
        Path bundle = Fixtures.bundle(dir, Fixtures.spec("sleep", "30"));
        String id = Fixtures.id("dup");
        ContainerRuntime.Created first = runtime.create(id, bundle, CreateOptions.withStdio(Stdio.nothing()));
        try {
            ContainerState before = runtime.state(id);
            String message = refused(ContainerException.class,
                    () -> runtime.create(id, bundle, CreateOptions.withStdio(Stdio.nothing())));
            assertEquals("container " + id + " already exists", message);
            assertEquals(before, runtime.state(id));
            assertEquals(Status.CREATED, runtime.state(id).status());
        } finally {
            runtime.delete(id, true);
        }
        assertEquals(Status.CREATED, first.state().status());
    }

    @Test
    void startOnAContainerThatIsNotCreatedIsRefusedAndChangesNothing(@TempDir Path dir) {
        Path bundle = Fixtures.bundle(dir, Fixtures.spec("sleep", "30"));
        String id = Fixtures.id("twice");
        runtime.create(id, bundle, CreateOptions.withStdio(Stdio.nothing()));
        try {
            runtime.start(id);
            ContainerState running = runtime.state(id);
            String message = refused(ContainerException.class, () -> runtime.start(id));
            assertEquals("container " + id + " is running, not created", message);
            assertEquals(running, runtime.state(id));
        } finally {
            runtime.delete(id, true);
        }
        assertEquals("container " + id + " does not exist", refused(ContainerException.class, () -> runtime.start(id)));
    }

    @Test
    void aCgroupsPathThatHoldsAnotherContainersProcessIsRefusedAndKept(@TempDir Path dir) throws IOException {
        // Two levels that do not exist yet: create makes both, the refused create removes neither.
        Spec s = Fixtures.spec("sleep", "30");
        LinuxSpec l = s.linux();
        Spec spec = s.withLinux(new LinuxSpec(l.uidMappings(), l.gidMappings(), l.sysctl(), l.resources(),
                "vireo/" + Fixtures.id("parent") + "/shared", l.namespaces(), l.devices(), l.seccomp(), l.rootfsPropagation(),
                l.maskedPaths(), l.readonlyPaths(), l.mountLabel(), l.personality(), l.timeOffsets()));
        List<String> groupsBefore = Leftovers.capture().cgroups();
        String first = Fixtures.id("holder");
        int pid = runtime.create(first, Fixtures.bundle(dir.resolve("a"), spec), CreateOptions.withStdio(Stdio.nothing())).state().pid();
        try {
            String message = refused(ContainerException.class, dir.resolve("b"), spec);
            assertTrue(message.startsWith("linux.cgroupsPath: ") && message.endsWith("/shared already holds processes"), message);
            assertTrue(Files.readString(Path.of("/proc/" + pid + "/cgroup")).contains("/shared\n"), "the first keeps its group");
        } finally {
            runtime.delete(first, true);
            // delete removes the container's own level; the parent it made stays, as under runc.
            for (String parent : Leftovers.capture().cgroups()) if (!groupsBefore.contains(parent)) Files.delete(Path.of(parent));
        }
    }

    @Test
    void aPlanThatCannotBeMadeEndsTheHelperAlreadyStarted(@TempDir Path dir) {
        // The plan is made once vireo-init runs (its move into the cgroup starts first): a device
        // a user namespace cannot bind fails there, and the waiting helper ends with the rest.
        Spec s = namespaces(new LinuxSpec.Namespace("user"));
        List<LinuxSpec.IdMapping> map = List.of(new LinuxSpec.IdMapping(0L, 100_000L, 65_536L));
        LinuxSpec l = s.linux().withIdMappings(map, map);
        Spec spec = s.withLinux(new LinuxSpec(l.uidMappings(), l.gidMappings(), l.sysctl(), l.resources(), l.cgroupsPath(),
                l.namespaces(), List.of(new LinuxSpec.Device("c", "/dev/vireo-none", 1L, 3L, 0666, 0L, 0L)), l.seccomp(),
                l.rootfsPropagation(), l.maskedPaths(), l.readonlyPaths(), l.mountLabel(), l.personality(), l.timeOffsets()));
        assertEquals("linux.devices: /dev/vireo-none does not exist on the host, and a user namespace can only bind a host device",
                refused(ConfigException.class, dir, spec));
    }

    @Test
    void anIdWithASlashIsRefused() {
        assertEquals("container ID \"../x\" must be letters, digits, '_', '+', '-' and '.'",
                refused(ConfigException.class, () -> runtime.state("../x")));
    }
}
