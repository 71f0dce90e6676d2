/*
 * Vireo's VMM against QEMU on the same guest binary, measured in one run (issue 3's figures):
 *   boot    whole process, from start to the guest's first UART byte and to power-off:
 *           `vireo vm run --cmdline hello` vs `qemu-system-x86_64 -enable-kvm -M microvm -kernel`
 *   portio  port-I/O exits per second the VMM handles: the guest's `uart N` workload writes
 *           the UART's THR N times from user mode and times the loop with the TSC, so start-up
 *           costs stay out; the TSC rate comes from Vireo's run (the guest gets it in its boot
 *           info) and applies to QEMU's run on the same host
 *   snapshot  a 256 MiB guest with 64 MiB touched (memtouch 64, paused once its first pass is
 *           done): the time to write a snapshot of the paused VM (`PUT /snapshot/create` on the
 *           API socket) vs QEMU's migrate-to-file (`migrate "exec:cat > FILE"` over QMP, the VM
 *           stopped), and the time from starting a new process to the guest running again
 *           (`vireo vm restore --from DIR` until GET /vm says Running) vs `qemu -incoming
 *           "exec:cat FILE"` until query-status says running; with the bytes each wrote to disk
 *   migrate live migration of the guest's memtouch (MIB MiB rewritten at RATE pages/ms) between two
 *           processes on localhost, pre-copy and post-copy: `vireo vm run --api-socket` + `vireo vm
 *           receive` + `vireo vm migrate --json` vs two QEMU microvm processes (`-incoming tcp:`,
 *           `migrate` over QMP; postcopy-ram and migrate-start-postcopy for post-copy). Downtime,
 *           total time and bytes on the wire from each VMM's own report (QEMU's downtime from its
 *           STOP and RESUME events, as its post-copy downtime field is not one); both guests'
 *           checksums must equal an unmigrated run's
 * Run with a JDK 25: java bench/VmBench.java boot|portio|snapshot|migrate [--runs N] [--bytes N] [--mib N] [--rate N]
 * Environment: VIREO (default ./vireo), QEMU (default qemu-system-x86_64), QEMU_CPU (default
 * host), GUEST (default guest/target/vireo-guest.elf). Needs /dev/kvm; figures from a nested or
 * emulated KVM (such as scripts/kvm-testbed) show the benchmark works, not how fast anything is.
 */
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
            case "snapshot" -> snapshot(runs);
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

    static final String MEMTOUCH = "memtouch 64 100000";
    /** How long the guest runs before the pause: its first memtouch pass (64 MiB) must be done by then. */
    static final long TOUCH_MILLIS = Long.parseLong(env("TOUCH_MILLIS", "8000"));

    record SnapshotRun(double saveMs, double restoreMs, long diskBytes, double startMs) {}

    static void snapshot(int runs) throws Exception {
        Path work = Files.createTempDirectory("vm-snapshot-bench");
        List<SnapshotRun> vireo = new ArrayList<>(), qemu = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            System.err.printf("snapshot run %d/%d%n", i + 1, runs);
            vireo.add(vireoSnapshot(work.resolve("vireo-" + i)));
            qemu.add(qemuSnapshot(work.resolve("qemu-" + i)));
        }
        System.out.printf("snapshot and restore of a 256 MiB guest with 64 MiB touched (%s), median of %d runs%n", MEMTOUCH, runs);
        row("", "vireo", "qemu", "vireo/qemu");
        compare("save, VM paused (ms)", median(vireo.stream().map(SnapshotRun::saveMs).toList()), median(qemu.stream().map(SnapshotRun::saveMs).toList()));
        compare("restore to running (ms)", median(vireo.stream().map(SnapshotRun::restoreMs).toList()), median(qemu.stream().map(SnapshotRun::restoreMs).toList()));
        compare("  of which start-up (ms)", median(vireo.stream().map(SnapshotRun::startMs).toList()), median(qemu.stream().map(SnapshotRun::startMs).toList()));
        compare("on disk (MiB)", median(vireo.stream().map(r -> r.diskBytes() / 1048576.0).toList()), median(qemu.stream().map(r -> r.diskBytes() / 1048576.0).toList()));
        System.out.println("  (save: the request alone; restore: whole process, from exec to the guest running again;");
        System.out.println("   start-up: `vireo version` and `qemu -version`, the process start each restore includes)");
    }

    static SnapshotRun vireoSnapshot(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path socket = dir.resolve("api.sock"), snapshot = dir.resolve("snap"), console = dir.resolve("console");
        List<String> run = new ArrayList<>(List.of(VIREO.split(" ")));
        run.addAll(List.of("vm", "run", "--memory", "256M", "--cmdline", MEMTOUCH, "--api-socket", socket.toString(), "--serial", console.toString()));
        Process vm = start(run);
        awaitText(console, "cmdline");
        Thread.sleep(TOUCH_MILLIS);
        http(socket, "PATCH", "/vm", "{\"state\":\"Paused\"}");
        long start = System.nanoTime();
        http(socket, "PUT", "/snapshot/create", "{\"snapshot_path\":\"" + snapshot + "\"}");
        double saveMs = (System.nanoTime() - start) / 1e6;
        http(socket, "PUT", "/actions", "{\"action_type\":\"Stop\"}");
        vm.waitFor();
        long disk = diskBytes(snapshot);

        Path restoredSocket = dir.resolve("restored.sock");
        List<String> restore = new ArrayList<>(List.of(VIREO.split(" ")));
        restore.addAll(List.of("vm", "restore", "--from", snapshot.toString(), "--api-socket", restoredSocket.toString(),
                "--serial", dir.resolve("restored-console").toString()));
        start = System.nanoTime();
        Process restored = start(restore);
        while (!stateIs(restoredSocket, "Running")) {
            if (!restored.isAlive()) fail("vireo vm restore exited with " + restored.exitValue());
            Thread.sleep(1);
        }
        double restoreMs = (System.nanoTime() - start) / 1e6;
        http(restoredSocket, "PUT", "/actions", "{\"action_type\":\"Stop\"}");
        restored.waitFor();
        List<String> version = new ArrayList<>(List.of(VIREO.split(" ")));
        version.add("version");
        return new SnapshotRun(saveMs, restoreMs, disk, startUp(version));
    }

    /** Milliseconds a command takes from exec to exit. */
    static double startUp(List<String> command) throws Exception {
        long start = System.nanoTime();
        if (start(command).waitFor() != 0) fail(String.join(" ", command) + " failed");
        return (System.nanoTime() - start) / 1e6;
    }

    static SnapshotRun qemuSnapshot(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path qmpSocket = dir.resolve("qmp.sock"), file = dir.resolve("migration"), console = dir.resolve("console");
        Process vm = start(qemuFor(MEMTOUCH, qmpSocket, console, null));
        awaitText(console, "cmdline");
        Thread.sleep(TOUCH_MILLIS);
        double saveMs;
        try (Qmp qmp = Qmp.connect(qmpSocket, vm)) {
            qmp.execute("{\"execute\":\"stop\"}");
            qmp.execute("{\"execute\":\"migrate-set-parameters\",\"arguments\":{\"max-bandwidth\":107374182400}}");
            long start = System.nanoTime();
            qmp.execute("{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"exec:cat > " + file + "\"}}");
            while (!qmp.execute("{\"execute\":\"query-migrate\"}").contains("\"completed\"")) Thread.sleep(1);
            saveMs = (System.nanoTime() - start) / 1e6;
            qmp.execute("{\"execute\":\"quit\"}");
        }
        vm.waitFor();
        long disk = diskBytes(file);

        Path restoredQmp = dir.resolve("restored-qmp.sock");
        long start = System.nanoTime();
        Process restored = start(qemuFor(MEMTOUCH, restoredQmp, dir.resolve("restored-console"), "exec:cat " + file));
        double restoreMs;
        try (Qmp qmp = Qmp.connect(restoredQmp, restored)) {
            while (!qmp.execute("{\"execute\":\"query-status\"}").contains("\"running\"")) Thread.sleep(1);
            restoreMs = (System.nanoTime() - start) / 1e6;
            qmp.execute("{\"execute\":\"quit\"}");
        }
        restored.waitFor();
        return new SnapshotRun(saveMs, restoreMs, disk, startUp(List.of(QEMU, "-version")));
    }

    static List<String> qemuFor(String cmdline, Path qmp, Path console, String incoming) {
        List<String> cmd = new ArrayList<>(List.of(QEMU, "-enable-kvm", "-cpu", env("QEMU_CPU", "host"), "-M", "microvm", "-m", "256M",
                "-nodefaults", "-no-user-config", "-display", "none", "-serial", "file:" + console, "-no-reboot",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", GUEST, "-append", cmdline,
                "-qmp", "unix:" + qmp + ",server=on,wait=off"));
        if (incoming != null) cmd.addAll(List.of("-incoming", incoming));
        return cmd;
    }

    static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    /** Waits until {@code file} holds {@code text} (the guest's console, written by another process). */
    static void awaitText(Path file, String text) throws Exception {
        for (long deadline = System.nanoTime() + 600_000_000_000L; System.nanoTime() < deadline; Thread.sleep(5)) {
            if (Files.exists(file) && Files.readString(file, StandardCharsets.ISO_8859_1).contains(text)) return;
        }
        fail("no '" + text + "' on " + file + " within 10 minutes");
    }

    /** Bytes the file or directory occupies on disk (holes excluded), as du counts them. */
    static long diskBytes(Path path) throws Exception {
        Process du = new ProcessBuilder("du", "-s", "-k", path.toString()).start();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (du.waitFor() != 0) fail("du " + path + " failed");
        return Long.parseLong(out.split("\\s+")[0]) * 1024;
    }

    /** Whether the API at {@code socket} answers and says the VM is in {@code state}; false while the server is still coming up. */
    static boolean stateIs(Path socket, String state) throws IOException {
        if (!Files.exists(socket)) return false;
        try {
            return http(socket, "GET", "/vm", null).contains("\"" + state + "\"");
        } catch (ConnectException e) {
            return false; // the socket file appears at bind(2), before listen(2)
        }
    }

    /** One request to a Vireo API socket; returns the body, fails on a non-2xx status. */
    static String http(Path socket, String method, String target, String json) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            String body = json == null ? "" : json;
            String request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (json == null ? "" : "Content-Type: application/json\r\n") + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            String response = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            if (status / 100 != 2) fail(method + " " + target + ": " + response);
            int at = response.indexOf("\r\n\r\n");
            return at < 0 ? "" : response.substring(at + 4);
        }
    }

    /** A QMP connection: capabilities negotiated, one command at a time, events skipped. */
    record Qmp(SocketChannel channel, BufferedReader in, Writer out) implements AutoCloseable {
        static Qmp connect(Path socket, Process qemu) throws Exception {
            while (!Files.exists(socket)) {
                if (!qemu.isAlive()) fail("QEMU exited with " + qemu.exitValue());
                Thread.sleep(1);
            }
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            Qmp qmp = new Qmp(channel, new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8)),
                    Channels.newWriter(channel, StandardCharsets.UTF_8));
            qmp.in.readLine(); // the greeting
            qmp.execute("{\"execute\":\"qmp_capabilities\"}");
            return qmp;
        }

        String execute(String command) throws IOException {
            out.write(command + "\n");
            out.flush();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.contains("\"error\"")) fail("QMP " + command + ": " + line);
                if (line.contains("\"return\"")) return line;
            }
            throw new IOException("QMP closed during " + command);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
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
        fail("usage: java bench/VmBench.java boot|portio|snapshot|migrate [--runs N] [--bytes N] [--mib N] [--rate N]");
    }

    static void fail(String message) {
        System.err.println("vm-bench: " + message);
        System.exit(2);
    }
}
