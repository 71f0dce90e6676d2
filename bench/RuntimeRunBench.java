import dev.vireo.runtime.ContainerRuntime;
import dev.vireo.runtime.CreateOptions;
import dev.vireo.runtime.ExitStatus;
import dev.vireo.runtime.Stdio;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The warm-JVM half of bench/runtime-run: in one JVM, run /bin/true in the busybox bundle
 * through Vireo's Java API and through `runc run` (spawned from the same JVM), interleaved so
 * that both see the same machine, after runs of Vireo's alone that let the JIT compile its code,
 * then print both figures side by side with the whole-process figures hyperfine measured (its
 * JSON export), as ratios.
 *
 *   java -p <vireo modules> --add-modules dev.vireo.runtime bench/RuntimeRunBench.java BUNDLE STATE RUNS HYPERFINE_JSON
 */
public class RuntimeRunBench {
    private static final int JIT_WARMUP = 300;

    public static void main(String[] args) throws Exception {
        Path bundle = Path.of(args[0]), state = Path.of(args[1]);
        int runs = Integer.parseInt(args[2]);
        ContainerRuntime runtime = ContainerRuntime.open(state.resolve("vireo-warm"), w -> { });
        CreateOptions options = CreateOptions.withStdio(Stdio.nothing());
        // A long-lived engine runs the runtime's Java code compiled: before the runs that count,
        // enough of Vireo's own for the JIT to settle (the config, plan and state code runs
        // interpreted or C1-compiled for the first tens of runs, milliseconds more a run).
        for (int i = 0; i < JIT_WARMUP; i++) {
            ExitStatus exit = runtime.run("jit-" + i, bundle, options);
            if (exit.code() != 0) throw new IllegalStateException("exit status " + exit);
        }
        List<Double> vireo = new ArrayList<>(), runc = new ArrayList<>();
        for (int i = -runs / 5; i < runs; i++) {
            long t0 = System.nanoTime();
            ExitStatus exit = runtime.run("warm-" + i, bundle, options);
            long t1 = System.nanoTime();
            Process p = new ProcessBuilder("runc", "--root", state.resolve("runc-warm").toString(), "run", "--bundle",
                    bundle.toString(), "warm-" + i).redirectInput(new File("/dev/null")).redirectOutput(new File("/dev/null"))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int runcExit = p.waitFor();
            long t2 = System.nanoTime();
            if (exit.code() != 0 || runcExit != 0) throw new IllegalStateException("exit statuses " + exit + ", runc " + runcExit);
            if (i < 0) continue; // warm-up: JIT, class loading, the helper's first load
            vireo.add((t1 - t0) / 1e6);
            runc.add((t2 - t1) / 1e6);
        }
        // hyperfine's JSON export: one result per command, in the order given, times in seconds.
        Matcher medians = Pattern.compile("\"median\":\\s*([0-9.eE+-]+)").matcher(Files.readString(Path.of(args[3])));
        if (!medians.find()) throw new IllegalStateException("no median in " + args[3]);
        double cliVireo = Double.parseDouble(medians.group(1)) * 1000;
        if (!medians.find()) throw new IllegalStateException("one median only in " + args[3]);
        double cliRunc = Double.parseDouble(medians.group(1)) * 1000;
        System.out.println();
        System.out.println("run of /bin/true in the busybox bundle (median ms; ratio = vireo / runc, lower is better)");
        System.out.printf(Locale.ROOT, "%-34s %10s %10s %8s%n", "", "vireo", "runc", "ratio");
        System.out.printf(Locale.ROOT, "%-34s %10.1f %10.1f %8.2f%n", "whole process, from the CLI", cliVireo, cliRunc, cliVireo / cliRunc);
        double warmVireo = median(vireo), warmRunc = median(runc);
        System.out.printf(Locale.ROOT, "%-34s %10.1f %10.1f %8.2f%n", "warm JVM, through the Java API", warmVireo, warmRunc,
                warmVireo / warmRunc);
        System.out.printf(Locale.ROOT, "%-34s %10.1f %10.1f%n", "  warm p90", percentile(vireo, 0.9), percentile(runc, 0.9));
        System.out.printf(Locale.ROOT, "goal: warm path at most half of runc's time: %s (%d runs each, interleaved, after %d of Vireo's)%n",
                warmVireo <= warmRunc / 2 ? "met" : "NOT met", vireo.size(), JIT_WARMUP);
    }

    private static double median(List<Double> values) {
        return percentile(values, 0.5);
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get((int) Math.min(sorted.size() - 1, Math.round(p * (sorted.size() - 1))));
    }
}
