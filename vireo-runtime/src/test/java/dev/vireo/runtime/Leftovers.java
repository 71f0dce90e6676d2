package dev.vireo.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What a container could leave behind on the host, captured before and after an operation:
 * mounts under the test's directories, cgroup directories, state directories, child processes,
 * and namespace descriptors this process holds (a namespace outlives its processes only through
 * a mount or an open descriptor).
 */
record Leftovers(List<String> mounts, List<String> cgroups, List<String> states, List<String> children,
                 List<String> namespaceFds) {

    static Leftovers capture() {
        return new Leftovers(ourMounts(), containerCgroups(), stateDirs(), childProcesses(), namespaceDescriptors());
    }

    private static List<String> ourMounts() {
        String target = Fixtures.target().toString();
        List<String> ours = new ArrayList<>();
        for (String line : lines(Path.of("/proc/self/mountinfo"))) {
            String point = line.split(" ")[4];
            if (point.startsWith(target) || point.startsWith("/tmp/junit")) ours.add(point);
        }
        return ours;
    }

    /** Every container group in every hierarchy: the directories below each "vireo" parent. */
    private static List<String> containerCgroups() {
        TreeSet<String> dirs = new TreeSet<>();
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                try (Stream<Path> walk = Files.walk(h, 4)) {
                    walk.filter(p -> p.getParent() != null && p.getParent().getFileName() != null
                                    && p.getParent().getFileName().toString().equals("vireo") && Files.isDirectory(p))
                            .forEach(p -> dirs.add(p.toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(dirs);
    }

    private static List<String> stateDirs() {
        Path root = Fixtures.target().resolve("vireo-state");
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> childProcesses() {
        long self = ProcessHandle.current().pid();
        List<String> children = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (Long.parseLong(f[1]) == self) children.add(p.getFileName() + " " + stat.substring(0, stat.lastIndexOf(')') + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return children;
    }

    private static List<String> namespaceDescriptors() {
        List<String> fds = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : s.toList()) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.matches("(mnt|net|pid|uts|ipc|user|cgroup|time):\\[\\d+]")) fds.add(link);
                } catch (IOException closed) {
                    // The descriptor of the listing itself is gone by now.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fds;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
