package dev.vireo.runtime.cgroups;

import dev.vireo.runtime.ContainerException;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Processes;
import dev.vireo.sys.Signals;
import dev.vireo.sys.SysException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Empties a group: SIGKILL through a pidfd to every member (so a recycled PID is never hit),
 * then a wait on those pidfds, repeated while members fork faster than they die.
 */
final class Killer {
    private static final int ROUNDS = 100, WAIT_MILLIS = 10_000;

    private Killer() {}

    static void killAll(Supplier<List<Integer>> members, String group) {
        for (int round = 0; round < ROUNDS; round++) {
            List<Integer> pids = members.get();
            if (pids.isEmpty()) return;
            List<Fd> pidfds = new ArrayList<>();
            try {
                for (int pid : pids) {
                    try {
                        Fd fd = Processes.pidfdOpen(pid);
                        pidfds.add(fd);
                        Signals.send(fd, Signals.SIGKILL);
                    } catch (SysException e) {
                        if (!e.is(Errno.ESRCH)) throw e;
                    }
                }
                for (Fd fd : pidfds) {
                    if (Processes.poll(List.of(fd), WAIT_MILLIS) < 0) {
                        throw new ContainerException("processes of " + group + " survive SIGKILL for "
                                + WAIT_MILLIS / 1000 + " s (stuck in the kernel?)");
                    }
                }
            } finally {
                pidfds.forEach(Fd::close);
            }
        }
        throw new ContainerException("processes of " + group + " keep forking faster than they can be killed");
    }
}
