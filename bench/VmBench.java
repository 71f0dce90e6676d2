/*
 * Vireo's VMM against QEMU on the same guest binary, measured in one run (issue 3's figures):
 *   boot    whole process, from start to the guest's first UART byte and to power-off:
 *           `vireo vm run --cmdline hello` vs `qemu-system-x86_64 -enable-kvm -M microvm -kernel`
 *   portio  port-I/O exits per second the VMM handles: the guest's `uart N` workload writes
 *           the UART's THR N times from user mode and times the loop with the TSC, so start-up
 *           costs stay out; the TSC rate comes from Vireo's run (the guest gets it in its boot
 *           info) and applies to QEMU's run on the same host
 *   migrate live migration of the guest's memtouch (MIB MiB rewritten at RATE pages/ms) between two
 *           processes on localhost, pre-copy and post-copy: `vireo vm run --api-socket` + `vireo vm
 *           receive` + `vireo vm migrate --json` vs two QEMU microvm processes (`-incoming tcp:`,
 *           `migrate` over QMP; postcopy-ram and migrate-start-postcopy for post-copy). Downtime,
 *           total time and bytes on the wire from each VMM's own report (QEMU's downtime from its
 *           STOP and RESUME events, as its post-copy downtime field is not one); both guests'
 *           checksums must equal an unmigrated run's
 * Run with a JDK 25: java bench/VmBench.java boot|portio|migrate [--runs N] [--bytes N] [--mib N] [--rate N]
 * Environment: VIREO (default ./vireo), QEMU (default qemu-system-x86_64), QEMU_CPU (default
 * host), GUEST (default guest/target/vireo-guest.elf). Needs /dev/kvm; figures from a nested or
 * emulated KVM (such as scripts/kvm-testbed) show the benchmark works, not how fast anything is.
 */
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

public class VmBench {
    record Timing(double firstByteMs, double exitMs, int status, long bytes, String tail) {
        /** A field of the guest's last RESULT line. */
        long result(String key) {
            int at = tail.lastIndexOf("RESULT ");
            if (at < 0) fail("no RESULT line in: " + tail);
            for (String word : tail.substring(at).split("\\s+")) {
                if (word.startsWith(key + "=")) return Long.parseLong(word.substring(key.length() + 1));
            }
            fail("no " + key + "= in: " + tail.substring(at));
            return 0;
        }
    }

    static final String VIREO = env("VIREO", "./vireo");
    static final String QEMU = env("QEMU", "qemu-system-x86_64");
    static final String GUEST = env("GUEST", "guest/target/vireo-guest.elf");

    public static void main(String[] args) throws Exception {
        if (args.length == 0) usage();
        int runs = 5;
        long bytes = 200_000;
        int mib = 32, rate = 50;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--bytes" -> bytes = Long.parseLong(args[++i]);
                case "--mib" -> mib = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                default -> usage();
            }
        }
        if (!Files.exists(Path.of("/dev/kvm"))) fail("no /dev/kvm: both VMMs need KVM (try scripts/kvm-testbed)");
        if (Files.exists(Path.of("/sys/module/kvm_pvm"))) fail("/dev/kvm here is KVM-PVM, which runs only PVM-enlightened guests (try scripts/kvm-testbed)");
        if (!Files.exists(Path.of(GUEST))) fail(GUEST + " is missing: build first (scripts/build)");
        switch (args[0]) {
            case "boot" -> boot(runs);
            case "portio" -> portio(runs, bytes);
            case "migrate" -> MigrateBench.run(runs, mib, rate);
            default -> usage();
        }
    }

    static void boot(int runs) throws Exception {
        List<Timing> vireo = new ArrayList<>(), qemu = new ArrayList<>();
        time(vireo(hello()), 0); // warm the page cache and the class-data archive
        time(qemu("hello"), 0);
        for (int i = 0; i < runs; i++) {
            System.err.printf("boot run %d/%d%n", i + 1, runs);
            vireo.add(time(vireo(hello()), 0));
            qemu.add(time(qemu("hello"), 0));
        }
        System.out.printf("boot of the guest's hello workload, whole process, median of %d runs%n", runs);
        row("", "vireo", "qemu", "vireo/qemu");
        compare("first UART byte (ms)", median(vireo, Timing::firstByteMs), median(qemu, Timing::firstByteMs));
        compare("power-off (ms)", median(vireo, Timing::exitMs), median(qemu, Timing::exitMs));
    }

    static void portio(int runs, long bytes) throws Exception {
        List<Double> vireo = new ArrayList<>(), qemu = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            System.err.printf("portio run %d/%d%n", i + 1, runs);
            Timing v = time(vireo(uart(bytes)), 0);
            double tscPerSecond = v.result("cycles") / (v.result("us") / 1e6);
            vireo.add(bytes / (v.result("cycles") / tscPerSecond));
            Timing q = time(qemu("uart " + bytes), 0);
            qemu.add(bytes / (q.result("cycles") / tscPerSecond));
        }
        System.out.printf("port-I/O exits per second (uart workload: %d OUTs to 0x3f8 from user mode, timed by the guest), median of %d runs%n",
                bytes, runs);
        row("", "vireo", "qemu", "vireo/qemu");
        compare("exits/s", median(vireo), median(qemu));
    }

    static String[] hello() {
        return new String[] {"--cmdline", "hello"};
    }

    static String[] uart(long n) {
        return new String[] {"--cmdline", "uart " + n};
    }

    static List<String> vireo(String... args) {
        List<String> cmd = new ArrayList<>(List.of(VIREO.split(" ")));
        cmd.addAll(List.of("vm", "run", "--memory", "128M"));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    static List<String> qemu(String cmdline) {
        return List.of(QEMU, "-enable-kvm", "-cpu", env("QEMU_CPU", "host"), "-M", "microvm", "-m", "128M",
                "-nodefaults", "-no-user-config", "-nographic", "-serial", "stdio", "-no-reboot",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", GUEST, "-append", cmdline);
    }

    /** Runs the command, reads its stdout to the end, and times the first byte and the exit. */
    static Timing time(List<String> command, int expected) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        long first = -1, total = 0;
        byte[] buffer = new byte[65536];
        byte[] tail = new byte[4096];
        int tailLength = 0;
        try (InputStream out = p.getInputStream()) {
            int n;
            while ((n = out.read(buffer)) > 0) {
                if (first < 0) first = System.nanoTime();
                total += n;
                int keep = Math.min(n, tail.length);
                int shift = Math.min(tailLength, tail.length - keep);
                System.arraycopy(tail, tailLength - shift, tail, 0, shift);
                System.arraycopy(buffer, n - keep, tail, shift, keep);
                tailLength = shift + keep;
            }
        }
        int status = p.waitFor();
        long end = System.nanoTime();
        // QEMU's isa-debug-exit turns guest status V into (V << 1) | 1
        boolean qemu = command.getFirst().equals(QEMU);
        if (status != (qemu ? (expected << 1) | 1 : expected)) fail(String.join(" ", command) + " exited with " + status);
        if (first < 0) fail(String.join(" ", command) + " printed nothing");
        return new Timing((first - start) / 1e6, (end - start) / 1e6, status, total, new String(tail, 0, tailLength));
    }

    interface Field {
        double of(Timing t);
    }

    static double median(List<Timing> timings, Field field) {
        return median(timings.stream().map(field::of).toList());
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static void row(String label, String a, String b, String c) {
        System.out.printf(Locale.ROOT, "  %-22s %14s %14s %12s%n", label, a, b, c);
    }

    static void compare(String label, double vireo, double qemu) {
        System.out.printf(Locale.ROOT, "  %-22s %14.1f %14.1f %12.2f%n", label, vireo, qemu, vireo / qemu);
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    static void usage() {
        fail("usage: java bench/VmBench.java boot|portio|migrate [--runs N] [--bytes N] [--mib N] [--rate N]");
    }

    static void fail(String message) {
        System.err.println("vm-bench: " + message);
        System.exit(2);
    }
}
