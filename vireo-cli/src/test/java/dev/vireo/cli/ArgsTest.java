package dev.vireo.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgsTest {
    private final Args.Spec spec = Args.spec("vm run").option("--memory", "-m").option("--env", "-e").flag("--stats");

    @Test
    void parsesValuesFlagsAliasesAndPositionals() {
        Args args = spec.parse(List.of("--memory=256M", "-e", "A=1", "--env", "B=2", "--stats", "guest.elf"));
        assertEquals("256M", args.required("--memory"));
        assertEquals(List.of("A=1", "B=2"), args.values("--env"));
        assertTrue(args.flag("--stats"));
        assertEquals("guest.elf", args.positional(0, "kernel"));
    }

    @Test
    void everythingAfterDoubleDashIsPositional() {
        Args args = spec.parse(List.of("id", "--", "sh", "-c", "--stats"));
        assertEquals(List.of("id", "sh", "-c", "--stats"), args.positionals());
    }

    @Test
    void optionsCanStopAtTheFirstPositional() {
        Args args = Args.spec("run").flag("--rm").stopAtFirstPositional().parse(List.of("--rm", "busybox", "ls", "-l"));
        assertTrue(args.flag("--rm"));
        assertEquals(List.of("busybox", "ls", "-l"), args.positionals());
    }

    @Test
    void unknownOptionsAndMissingValuesAreUsageErrors() {
        assertEquals("vm run: unknown option --bogus",
                assertThrows(UsageException.class, () -> spec.parse(List.of("--bogus"))).getMessage());
        assertEquals("vm run: --memory needs a value",
                assertThrows(UsageException.class, () -> spec.parse(List.of("--memory"))).getMessage());
        assertEquals(2, Main.exitStatus(new UsageException("x")));
    }

    @Test
    void oneLetterFlagsCombine() {
        Args.Spec run = Args.spec("run").flag("--interactive", "-i").flag("--tty", "-t").option("--name", "-n");
        Args args = run.parse(List.of("-it", "x"));
        assertTrue(args.flag("--interactive") && args.flag("--tty"));
        assertEquals("run: unknown option -in", assertThrows(UsageException.class, () -> run.parse(List.of("-in"))).getMessage());
    }
}
