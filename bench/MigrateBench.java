/*
 * bench/vm-migrate's half of VmBench: live migration of memtouch, Vireo vs QEMU (see VmBench's
 * header). Each run starts a source and a destination process per VMM on localhost, waits for the
 * guest to boot, migrates, and reads the figures each VMM reports.
 */
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class MigrateBench {
    /** One migration's figures; {@code breakdown}: where Vireo's time and downtime went, as its report says (empty for QEMU). */
    record Figures(double downtimeMs, double totalMs, double wireMiB, String breakdown) {}

    static final String MEMORY = "256M";

    private MigrateBench() {}

    static void run(int runs, int mib, int rate) throws Exception {
        Path work = Files.createTempDirectory("vm-migrate");
        // Enough passes that the guest writes for SECONDS (default 20), past the end of the migration.
        int passes = (int) Math.max(2, Long.parseLong(VmBench.env("SECONDS", "20")) * 1000 * rate / (mib * 256L));
        // An unmigrated run (unpaced: the checksum does not depend on the rate): the checksum every
        // migrated run must reproduce, and the TSC rate QEMU's guest needs.
        VmBench.Timing reference = VmBench.time(VmBench.vireo("--cmdline", "memtouch " + mib + " " + passes), 0);
        long khz = Math.round(reference.result("cycles") / (reference.result("us") / 1e3));
        String checksum = field(reference.tail(), "checksum");
        String workload = "memtouch " + mib + " " + passes + " " + rate + " " + khz;
        Map<String, List<Figures>> vireo = new TreeMap<>(), qemu = new TreeMap<>();
        for (String mode : List.of("precopy", "postcopy")) {
            for (int i = 0; i < runs; i++) {
                System.err.printf("migrate %s run %d/%d%n", mode, i + 1, runs);
                vireo.computeIfAbsent(mode, m -> new ArrayList<>()).add(vireoRun(work, mode, workload, checksum));
                qemu.computeIfAbsent(mode, m -> new ArrayList<>()).add(qemuRun(work, mode, workload, checksum));
            }
        }
        System.out.printf(Locale.ROOT, "live migration of memtouch (%d MiB rewritten at %d pages/ms) in a %s guest, "
                + "localhost, median of %d runs%n", mib, rate, MEMORY, runs);
        VmBench.row("", "vireo", "qemu", "vireo/qemu");
        for (String mode : vireo.keySet()) {
            compare(mode + " downtime (ms)", vireo.get(mode), qemu.get(mode), Figures::downtimeMs);
            compare(mode + " total (ms)", vireo.get(mode), qemu.get(mode), Figures::totalMs);
            compare(mode + " sent (MiB)", vireo.get(mode), qemu.get(mode), Figures::wireMiB);
        }
        System.out.printf(Locale.ROOT, "  memory the guest touched: about %d MiB (memtouch's region) plus its kernel's pages%n", mib);
        for (String mode : vireo.keySet()) {
            for (Figures f : vireo.get(mode)) {
                System.out.printf(Locale.ROOT, "  vireo %s total %.1f ms, downtime %.1f ms: %s%n", mode, f.totalMs(), f.downtimeMs(),
                        f.breakdown());
            }
        }
    }

    interface Field {
        double of(Figures f);
    }

    static void compare(String label, List<Figures> vireo, List<Figures> qemu, Field field) {
        VmBench.compare(label, VmBench.median(vireo.stream().map(field::of).toList()),
                VmBench.median(qemu.stream().map(field::of).toList()));
    }

    static Figures vireoRun(Path work, String mode, String workload, String checksum) throws Exception {
        Path api = work.resolve("vm.sock"), src = work.resolve("vireo-src.out"), dst = work.resolve("vireo-dst.out");
        Path listening = work.resolve("vireo-dst.err");
        for (Path stale : List.of(api, src, dst, listening)) Files.deleteIfExists(stale); // the last run's "booted" must not count
        int port = freePort();
        Process receiver = new ProcessBuilder(vireoCommand("vm", "receive", "--listen", "127.0.0.1:" + port, "--memory", MEMORY, "--serial",
                dst.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(listening.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Process source = start(vireoCommand("vm", "run", "--memory", MEMORY, "--api-socket", api.toString(), "--serial",
                src.toString(), "--cmdline", workload));
        try {
            // As QEMU's -incoming, the destination listens, its VM built (--memory), before the clock starts.
            awaitText(listening, "waiting for a VM on", receiver);
            awaitText(src, "booted", source);
            Process migrate = new ProcessBuilder(vireoCommand("vm", "migrate", "--api-socket", api.toString(), "--to",
                    "127.0.0.1:" + port, "--mode", mode, "--json")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String json = new String(migrate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (migrate.waitFor() != 0) VmBench.fail("vireo vm migrate --mode " + mode + " failed: " + json);
            if (receiver.waitFor() != 0) {
                VmBench.fail("vireo vm receive exited with " + receiver.exitValue() + ": " + Files.readString(listening));
            }
            checkChecksum("vireo " + mode, dst, checksum);
            return new Figures(number(json, "downtime_ms"), number(json, "total_ms"), number(json, "wire_bytes") / 1048576.0,
                    breakdown(json));
        } finally {
            source.destroyForcibly().waitFor();
            receiver.destroyForcibly().waitFor();
        }
    }

    static Figures qemuRun(Path work, String mode, String workload, String checksum) throws Exception {
        Path srcSock = work.resolve("qemu-src.qmp"), dstSock = work.resolve("qemu-dst.qmp");
        Path src = work.resolve("qemu-src.out"), dst = work.resolve("qemu-dst.out");
        for (Path stale : List.of(srcSock, dstSock, src, dst)) Files.deleteIfExists(stale);
        int port = freePort();
        Process destination = start(qemuCommand(workload, dst, dstSock, "-incoming", "tcp:127.0.0.1:" + port));
        Process source = start(qemuCommand(workload, src, srcSock));
        try (Qmp s = Qmp.connect(srcSock); Qmp d = Qmp.connect(dstSock)) {
            awaitText(src, "booted", source);
            if (mode.equals("postcopy")) {
                for (Qmp q : List.of(s, d)) {
                    q.execute("migrate-set-capabilities", "{\"capabilities\":[{\"capability\":\"postcopy-ram\",\"state\":true}]}");
                }
            }
            s.execute("migrate-set-parameters", "{\"downtime-limit\":300}");
            s.execute("migrate", "{\"uri\":\"tcp:127.0.0.1:" + port + "\"}");
            if (mode.equals("postcopy")) s.execute("migrate-start-postcopy", null);
            String status;
            while (true) {
                status = s.execute("query-migrate", null);
                if (status.contains("\"status\": \"completed\"") || status.contains("\"status\":\"completed\"")) break;
                if (status.contains("failed")) VmBench.fail("QEMU's migration failed: " + status);
                Thread.sleep(20);
            }
            double stopped = s.eventTime("STOP"), resumed = d.eventTime("RESUME");
            if (destination.waitFor() != 1) VmBench.fail("QEMU's destination exited with " + destination.exitValue());
            checkChecksum("qemu " + mode, dst, checksum);
            return new Figures((resumed - stopped) * 1e3, number(status, "total-time"), number(status, "transferred") / 1048576.0, "");
        } finally {
            source.destroyForcibly().waitFor();
            destination.destroyForcibly().waitFor();
        }
    }

    static List<String> vireoCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(VmBench.VIREO.split(" ")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static List<String> qemuCommand(String cmdline, Path serial, Path qmp, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(VmBench.QEMU, "-accel", VmBench.env("QEMU_ACCEL", "kvm"), "-cpu",
                VmBench.env("QEMU_CPU", "host"), "-M", "microvm", "-m", MEMORY, "-nodefaults", "-no-user-config",
                "-display", "none", "-no-reboot", "-serial", "file:" + serial, "-qmp", "unix:" + qmp + ",server=on,wait=off",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", VmBench.GUEST, "-append", cmdline));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    static void awaitText(Path file, String text, Process owner) throws Exception {
        while (!Files.exists(file) || !Files.readString(file, StandardCharsets.ISO_8859_1).contains(text)) {
            if (!owner.isAlive()) VmBench.fail(String.join(" ", owner.info().commandLine().orElse("a VMM")) + " ended early");
            Thread.sleep(10);
        }
    }

    static void checkChecksum(String what, Path console, String expected) throws IOException {
        String text = Files.readString(console, StandardCharsets.ISO_8859_1);
        String got = text.contains("RESULT ") ? field(text, "checksum") : "none";
        if (!got.equals(expected)) VmBench.fail(what + ": the migrated guest's checksum is " + got + ", unmigrated " + expected);
    }

    static String field(String text, String key) {
        Matcher m = Pattern.compile("RESULT .*\\b" + key + "=(\\S+)").matcher(text);
        if (!m.find()) VmBench.fail("no " + key + "= in: " + text);
        return m.group(1);
    }

    /** The report's handshake, round durations and downtime phases, in milliseconds. */
    static String breakdown(String json) {
        List<String> rounds = new ArrayList<>(), phases = new ArrayList<>();
        Matcher r = Pattern.compile("\"duration_ms\":([0-9.]+)").matcher(json);
        while (r.find()) rounds.add(r.group(1));
        Matcher p = Pattern.compile("\\{\"phase\":\"([^\"]+)\",\"ms\":([0-9.]+)\\}").matcher(json);
        while (p.find()) phases.add(p.group(1) + " " + p.group(2));
        return String.format(Locale.ROOT, "handshake %.1f, rounds [%s]; downtime: %s", number(json, "handshake_ms"),
                String.join(", ", rounds), String.join(", ", phases));
    }

    static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(-?[0-9.]+)").matcher(json);
        if (!m.find()) VmBench.fail("no " + key + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A QMP connection: commands one at a time, events remembered with their timestamps. */
    static final class Qmp implements AutoCloseable {
        private final SocketChannel channel;
        private final BufferedReader in;
        private final PrintWriter out;
        private final List<String> events = new ArrayList<>();

        private Qmp(SocketChannel channel) {
            this.channel = channel;
            this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            this.out = new PrintWriter(Channels.newOutputStream(channel), true, StandardCharsets.UTF_8);
        }

        static Qmp connect(Path socket) throws Exception {
            for (int i = 0; ; i++) {
                try {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    c.connect(UnixDomainSocketAddress.of(socket));
                    Qmp q = new Qmp(c);
                    q.in.readLine(); // the greeting
                    q.execute("qmp_capabilities", null);
                    return q;
                } catch (IOException e) {
                    if (i > 500) throw e;
                    Thread.sleep(10);
                }
            }
        }

        String execute(String command, String arguments) throws IOException {
            out.println("{\"execute\":\"" + command + "\"" + (arguments == null ? "" : ",\"arguments\":" + arguments) + "}");
            while (true) {
                String line = in.readLine();
                if (line == null) throw new IOException("QMP closed during " + command);
                if (line.contains("\"event\"")) events.add(line);
                else if (line.contains("\"error\"")) throw new IOException("QMP " + command + ": " + line);
                else return line;
            }
        }

        /** The host time (seconds) of the first event named {@code name}, waiting for it if need be. */
        double eventTime(String name) throws IOException {
            while (true) {
                for (String e : events) {
                    if (e.contains("\"event\": \"" + name + "\"") || e.contains("\"event\":\"" + name + "\"")) {
                        return number(e, "seconds") + number(e, "microseconds") / 1e6;
                    }
                }
                String line = in.readLine();
                if (line == null) throw new IOException("QMP closed before the " + name + " event");
                if (line.contains("\"event\"")) events.add(line);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
