import dev.vireo.containers.Container;
import dev.vireo.containers.Containers;
import dev.vireo.containers.RunOptions;
import dev.vireo.image.Progress;
import dev.vireo.runtime.ExitStatus;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The warm-JVM half of bench/container-run: in one JVM (as the engine will call it), create,
 * run and remove a busybox `true` container through the Containers API, interleaved with
 * `podman run --rm` of the same image spawned from the same JVM, and print the medians and
 * their ratio. What it shows: the engine's own cost without the JVM's start-up.
 *
 *   java -p <vireo modules> --add-modules dev.vireo.containers bench/ContainerRunBench.java ROOT RUNS PODMAN-COMMAND...
 */
public class ContainerRunBench {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        List<String> podman = List.of(args).subList(2, args.length);
        Containers containers = Containers.open(root, w -> { });
        RunOptions options = RunOptions.builder().cmd(List.of("true")).build();
        List<Double> vireo = new ArrayList<>(), peer = new ArrayList<>();
        for (int i = -Math.max(2, runs / 5); i < runs; i++) {
            long t0 = System.nanoTime();
            Container c = containers.create(new Containers.CreateRequest("busybox", null, options, true, false), Progress.NONE);
            ExitStatus exit = containers.run(c);
            long t1 = System.nanoTime();
            Process p = new ProcessBuilder(podman).redirectInput(new File("/dev/null"))
                    .redirectOutput(new File("/dev/null")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int podmanExit = p.waitFor();
            long t2 = System.nanoTime();
            if (exit.code() != 0 || podmanExit != 0) throw new IllegalStateException("exit statuses " + exit + ", podman " + podmanExit);
            if (i < 0) continue; // warm-up: JIT, class loading
            vireo.add((t1 - t0) / 1e6);
            peer.add((t2 - t1) / 1e6);
        }
        double v = median(vireo), pm = median(peer);
        System.out.printf(Locale.ROOT, "%-40s %10.1f%n", "warm JVM, Containers API (create+run+rm)", v);
        System.out.printf(Locale.ROOT, "%-40s %10.1f%n", "podman run --rm, spawned alongside", pm);
        System.out.printf(Locale.ROOT, "ratio warm vireo / podman: %.2f (%d runs each, interleaved)%n", v / pm, runs);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
