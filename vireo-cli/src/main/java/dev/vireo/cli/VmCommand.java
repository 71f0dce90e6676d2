package dev.vireo.cli;

import dev.vireo.vmm.ApiClient;
import dev.vireo.vmm.ApiServer;
import dev.vireo.vmm.ExitSample;
import dev.vireo.vmm.GuestResult;
import dev.vireo.vmm.KvmHost;
import dev.vireo.vmm.KvmUnavailableException;
import dev.vireo.vmm.Migration;
import dev.vireo.vmm.MigrationException;
import dev.vireo.vmm.MigrationMode;
import dev.vireo.vmm.MigrationOptions;
import dev.vireo.vmm.MigrationReport;
import dev.vireo.vmm.StatisticsReport;
import dev.vireo.vmm.VirtualMachine;
import dev.vireo.vmm.VmConfig;
import dev.vireo.vmm.VmOutcome;
import dev.vireo.vmm.VmState;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * {@code vireo vm}: runs a VM on KVM. {@code vm run} boots Vireo's guest kernel (or
 * {@code --kernel FILE}), connects its serial console to the terminal (or {@code --serial FILE})
 * and exits with the guest's status; {@code vm restore --from DIR} brings a snapshot back and
 * runs it on from where it stopped, the same way. {@code --stats} prints the exit counters as a
 * table on stderr afterwards; {@code --json} prints one JSON document on stdout and moves the
 * console to stderr. {@code --api-socket PATH} serves the VM's control API ({@link ApiServer}),
 * which the verbs {@code pause}, {@code resume}, {@code stats}, {@code snapshot} and {@code stop} use.
 */
final class VmCommand implements Command {
    private static final String USAGE = """
            usage: vireo vm run [--kernel FILE] [--memory SIZE] [--cmdline "..."] [--disk FILE] [--serial FILE] [--stats] [--json] [--api-socket PATH]
                   vireo vm restore --from DIR [--disk FILE] [--serial FILE] [--stats] [--json] [--api-socket PATH]
                   vireo vm pause|resume|stop --api-socket PATH
                   vireo vm stats [--json] --api-socket PATH
                   vireo vm snapshot --to DIR --api-socket PATH
                   vireo vm receive --listen HOST:PORT [--memory SIZE] [--disk FILE] [--serial FILE] [--stats] [--json] [--api-socket PATH]
                   vireo vm migrate --api-socket PATH --to HOST:PORT --mode cold|nonlive|precopy|postcopy
                                    [--downtime-ms N] [--max-rounds N] [--compress none|zero,xbzrle,lz4|zstd]
                                    [--postcopy-bandwidth MIB_PER_S] [--json] [--plot FILE]""";

    private static final String SHORT_USAGE = "usage: vireo vm run|restore|pause|resume|stats|snapshot|stop|receive|migrate [OPTIONS] (see vireo vm --help)";

    @Override
    public String summary() {
        return "run, control, snapshot and restore a virtual machine on KVM (vm --help)";
    }

    @Override
    public int run(List<String> args) throws Exception {
        if (args.isEmpty()) throw new UsageException(SHORT_USAGE);
        List<String> rest = args.subList(1, args.size());
        return switch (args.getFirst()) {
            case "run" -> runVm(rest);
            case "restore" -> restore(rest);
            case "receive" -> receive(rest);
            case "migrate" -> migrate(rest);
            case "pause", "resume", "stop", "stats", "snapshot" -> control(args.getFirst(), rest);
            case "--help", "-h", "help" -> {
                System.out.println(USAGE);
                yield 0;
            }
            default -> throw new UsageException(SHORT_USAGE);
        };
    }

    private static Args.Spec runOptions(String verb) {
        return Args.spec("vm " + verb).option("--serial").option("--api-socket").flag("--stats").flag("--json");
    }

    private int runVm(List<String> args) throws Exception {
        Args a = runOptions("run").option("--kernel").option("--memory", "-m").option("--cmdline").option("--disk")
                .option("--passthrough").flag("--help", "-h").parse(args);
        if (a.flag("--help")) {
            System.out.println(USAGE);
            System.out.println("  without --kernel it boots Vireo's guest; --cmdline picks its workload, such as \"primes 100000\"");
            System.out.println("  --disk FILE: a raw image behind virtio-blk (without it, a 64 MiB scratch disk that goes with the VM)");
            return 0;
        }
        if (a.value("--passthrough").isPresent()) {
            throw new UsageException("vm run: --passthrough " + a.value("--passthrough").get() + ": device passthrough "
                    + "(VFIO) is not supported here: these hosts have no IOMMU and no device to give a guest, and "
                    + "their KVM is itself nested (see docs/DIRECT-IO.md)");
        }
        noPositionals(a, "run");
        VmConfig.Builder config = VmConfig.builder();
        a.value("--kernel").ifPresent(k -> config.kernel(VmConfig.Kernel.file(Path.of(k))));
        a.value("--memory").ifPresent(m -> config.memory(VmConfig.parseMemory(m)));
        a.value("--cmdline").ifPresent(config::cmdline);
        a.value("--disk").ifPresent(d -> config.disk(Path.of(d)));
        return runToEnd(a, (console, input) -> VirtualMachine.create(config.console(console).consoleInput(input).build()));
    }

    private int restore(List<String> args) throws Exception {
        Args a = runOptions("restore").option("--from").option("--disk").parse(args);
        noPositionals(a, "restore");
        Path from = Path.of(a.value("--from").orElseThrow(() -> new UsageException("vm restore: --from DIR names the snapshot")));
        Path disk = a.value("--disk").map(Path::of).orElse(null);
        return runToEnd(a, (console, input) -> VirtualMachine.restore(from, console, input,
                line -> System.err.println("vireo vm: " + line), disk));
    }

    /** Waits for one migrating VM on HOST:PORT, then runs it to its end as {@code vm run} does. */
    private int receive(List<String> args) throws Exception {
        Args a = runOptions("receive").option("--listen").option("--memory", "-m").option("--disk").parse(args);
        noPositionals(a, "receive");
        // Where a cold migration's disk image goes: a new file, so that nothing is overwritten.
        Path disk = a.value("--disk").map(d -> Path.of(d).toAbsolutePath()).orElse(null);
        if (disk != null && Files.exists(disk, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("--disk " + disk + " exists already; name a new file for the disk image");
        }
        if (disk != null && !Files.isDirectory(disk.getParent())) {
            throw new IllegalArgumentException("--disk " + disk + ": no directory " + disk.getParent());
        }
        // The size of the VM expected, if known: its machine is then built before the source connects.
        long memory = a.value("--memory").map(VmConfig::parseMemory).orElse(0L);
        HostPort listen = HostPort.parse("--listen", a.value("--listen")
                .orElseThrow(() -> new UsageException("vm receive: --listen HOST:PORT says where to wait for the VM")));
        // A host that cannot run the VM says so now, not after a source has started sending.
        KvmHost.unusableReason().ifPresent(reason -> {
            throw new KvmUnavailableException(reason);
        });
        ServerSocket server = new ServerSocket();
        try {
            server.bind(new InetSocketAddress(listen.host(), listen.port()), 1);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + listen + ": " + e.getMessage());
        }
        ProgressPrinter progress = new ProgressPrinter(false);
        return runToEnd(a, (console, input) -> {
            try (server) {
                VirtualMachine vm = Migration.receive(server, console, input, disk, memory, line -> System.err.println("vireo vm: " + line),
                        lost -> {
                            progress.done();
                            System.err.println("vireo vm receive: " + lost);
                            System.err.flush();
                            // vCPUs wait on pages that will not come: end the process now, closing nothing
                            Runtime.getRuntime().halt(1);
                        }, (phase, done, total) -> progress.update("receive", phase, done, total));
                progress.done();
                System.err.println("vireo vm receive: the VM runs here");
                return vm;
            } catch (MigrationException e) {
                progress.done();
                throw new IOException(e.getMessage());
            }
        });
    }

    /** Sends the VM behind an API socket to a {@code vm receive}, showing progress; prints the report. */
    private static int migrate(List<String> args) throws Exception {
        Args a = Args.spec("vm migrate").option("--api-socket").option("--to").option("--mode").option("--downtime-ms")
                .option("--max-rounds").option("--compress").option("--postcopy-bandwidth").option("--plot").flag("--json").parse(args);
        noPositionals(a, "migrate");
        Path socket = Path.of(a.value("--api-socket")
                .orElseThrow(() -> new UsageException("vm migrate: --api-socket PATH names the VM's control socket")));
        HostPort to = HostPort.parse("--to", a.value("--to")
                .orElseThrow(() -> new UsageException("vm migrate: --to HOST:PORT names the vm receive to send to")));
        MigrationOptions options = MigrationOptions.of(MigrationMode.parse(a.value("--mode")
                .orElseThrow(() -> new UsageException("vm migrate: --mode cold|nonlive|precopy|postcopy"))));
        if (a.value("--downtime-ms").isPresent()) options = options.withDowntimeMillis(number("--downtime-ms", a.value("--downtime-ms").get()));
        if (a.value("--max-rounds").isPresent()) options = options.withMaxRounds((int) number("--max-rounds", a.value("--max-rounds").get()));
        if (a.value("--postcopy-bandwidth").isPresent()) {
            options = options.withPostcopyBandwidth(number("--postcopy-bandwidth", a.value("--postcopy-bandwidth").get()) << 20);
        }
        if (!a.values("--compress").isEmpty()) options = options.withCompression(MigrationOptions.parseCompression(a.values("--compress")));
        ProgressPrinter progress = new ProgressPrinter(false);
        MigrationReport report;
        try {
            report = new ApiClient(socket).migrate(to.toString(), options, (phase, done, total) -> progress.update(phase, "sent", done, total));
        } catch (MigrationException e) {
            progress.done();
            throw new IOException(e.getMessage());
        }
        progress.done();
        if (a.value("--plot").isPresent()) {
            Path plot = Path.of(a.value("--plot").get());
            Path temp = Files.createTempFile(plot.toAbsolutePath().getParent(), ".plot", ".svg");
            Files.writeString(temp, report.svg());
            Files.move(temp, plot, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        if (a.flag("--json")) System.out.println(report.json());
        else System.out.print(report.table());
        return 0;
    }

    private static long number(String option, String text) {
        try {
            long n = Long.parseLong(text);
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(option + " takes a positive number, not \"" + text + "\"");
    }

    /** HOST:PORT as the migration verbs take it. */
    private record HostPort(String host, int port) {
        static HostPort parse(String option, String text) {
            int colon = text.lastIndexOf(':');
            try {
                int port = Integer.parseInt(text.substring(colon + 1));
                if (colon > 0 && port > 0 && port < 65536) return new HostPort(text.substring(0, colon), port);
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException(option + " takes HOST:PORT, not \"" + text + "\"");
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private interface Launch {
        VirtualMachine create(OutputStream console, InputStream input) throws IOException;
    }

    /** Runs the VM {@code launch} creates until it ends, with the console, API socket and reports {@code a} asks for. */
    private static int runToEnd(Args a, Launch launch) throws Exception {
        boolean json = a.flag("--json");
        boolean toFile = a.value("--serial").isPresent();
        OutputStream console = toFile ? Files.newOutputStream(Path.of(a.value("--serial").get()))
                : new FileOutputStream(json ? FileDescriptor.err : FileDescriptor.out);
        VmOutcome outcome;
        try (VirtualMachine vm = launch.create(console, new FileInputStream(FileDescriptor.in))) {
            // the API before the guest: a socket that cannot be served stops the command before anything ran
            try (ApiServer api = a.value("--api-socket").isPresent() ? ApiServer.start(Path.of(a.value("--api-socket").get()), vm) : null) {
                if (vm.state() == VmState.CREATED) vm.start(); // a received VM runs already
                outcome = vm.awaitOutcome();
            }
            if (!(outcome instanceof VmOutcome.PoweredOff)) System.err.println("vireo vm: " + outcome.describe());
            if (a.flag("--stats")) {
                System.err.print(StatisticsReport.table(vm.statistics()));
                printIoComparison(vm.results(), vm.exitSamples(), System.err);
            }
            if (json) printJson(outcome, vm);
        } finally {
            // the terminal's descriptors stay open: errors after this still need stderr
            if (toFile) console.close();
            else console.flush();
        }
        return outcome.exitStatus();
    }

    /**
     * The {@code io} workload's phases side by side: exits per KiB (the VMM's counts, which the
     * guest read around each phase through port 0xf0), each path's exits against the UART's,
     * all exits per KiB (KVM's count at the same reads, with the exits KVM handled itself: the
     * ioeventfd kicks, HLT, LAPIC EOIs), time and throughput. virtio-blk moves its KiB twice
     * (written, then read back).
     */
    static void printIoComparison(List<GuestResult> results, List<ExitSample> samples, PrintStream out) {
        List<GuestResult> io = results.stream().filter(r -> "io".equals(r.workload()) && r.get("path") != null).toList();
        if (io.isEmpty()) return;
        boolean bracketed = samples.size() == 2 * io.size() && samples.stream().allMatch(s -> s.kvmExits() >= 0);
        double uart = io.stream().filter(r -> "uart".equals(r.get("path"))).mapToDouble(r -> number(r, "exits_per_kib"))
                .findFirst().orElse(Double.NaN);
        Table table = new Table(List.of("I/O path", "KiB", "exits", "exits/KiB", "vs UART", "all exits/KiB", "time",
                "throughput"));
        for (int i = 0; i < io.size(); i++) {
            GuestResult r = io.get(i);
            double kib = number(r, "kib"), perKib = number(r, "exits_per_kib"), us = number(r, "us");
            double moved = kib * ("virtio-blk".equals(r.get("path")) ? 2 : 1);
            // the second read's own exit is in KVM's count already
            String all = bracketed ? String.format("%.2f", (samples.get(2 * i + 1).kvmExits() - samples.get(2 * i).kvmExits() - 1) / kib) : "-";
            table.add(List.of(r.get("path"), r.get("kib"), r.get("exits"), String.format("%.2f", perKib),
                    ratio(perKib, uart), all,
                    String.format("%.1f ms", us / 1000), us > 0 ? String.format("%.1f KiB/s", moved / (us / 1e6)) : "-"));
        }
        out.println();
        out.println("I/O paths (exits: the VMM's, per phase; all exits: KVM's, with those it handles itself; "
                + "virtio-blk writes, flushes and reads back):");
        table.print(out);
    }

    /** A path's exits per KiB against the UART's, as a fraction that stays readable when tiny: 1, 1/34816, 0. */
    private static String ratio(double perKib, double uart) {
        if (!(uart > 0) || Double.isNaN(perKib)) return "-";
        if (perKib == 0) return "0";
        return perKib >= uart ? String.format("%.2f", perKib / uart) : String.format("1/%.0f", uart / perKib);
    }

    private static double number(GuestResult r, String key) {
        String value = r.get(key);
        if (value == null) return Double.NaN;
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** A verb that talks to a running VM through its API socket. */
    private static int control(String verb, List<String> args) throws IOException {
        Args.Spec spec = Args.spec("vm " + verb).option("--api-socket");
        if (verb.equals("stats")) spec.flag("--json");
        if (verb.equals("snapshot")) spec.option("--to");
        Args a = spec.parse(args);
        noPositionals(a, verb);
        ApiClient api = new ApiClient(Path.of(a.value("--api-socket")
                .orElseThrow(() -> new UsageException("vm " + verb + ": --api-socket PATH names the VM's control socket"))));
        switch (verb) {
            case "pause" -> api.pause();
            case "resume" -> api.resume();
            case "stop" -> api.stop();
            case "stats" -> {
                String stats = api.statistics(!a.flag("--json"));
                System.out.print(a.flag("--json") ? stats + "\n" : stats);
            }
            default -> {
                Path to = Path.of(a.value("--to").orElseThrow(() -> new UsageException("vm snapshot: --to DIR names the snapshot directory")));
                api.createSnapshot(to);
                System.out.println("snapshot written to " + to.toAbsolutePath());
            }
        }
        return 0;
    }

    private static void noPositionals(Args a, String verb) {
        if (!a.positionals().isEmpty()) throw new UsageException("vm " + verb + ": unexpected argument " + a.positionals().getFirst());
    }

    private static void printJson(VmOutcome outcome, VirtualMachine vm) throws IOException {
        StringBuilder out = new StringBuilder("{\"outcome\":{\"kind\":");
        StatisticsReport.string(out, kind(outcome)).append(",\"exit_status\":").append(outcome.exitStatus())
                .append(",\"description\":");
        StatisticsReport.string(out, outcome.describe()).append("},\"results\":[");
        List<GuestResult> results = vm.results();
        for (int i = 0; i < results.size(); i++) {
            if (i > 0) out.append(',');
            out.append(StatisticsReport.resultJson(results.get(i).fields()));
        }
        out.append("],\"exits\":").append(StatisticsReport.json(vm.statistics())).append("}\n");
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        stdout.print(out);
        stdout.flush();
    }

    private static String kind(VmOutcome outcome) {
        return switch (outcome) {
            case VmOutcome.PoweredOff _ -> "powered-off";
            case VmOutcome.Halted _ -> "halted";
            case VmOutcome.TripleFault _ -> "triple-fault";
            case VmOutcome.EmulationFailure _ -> "emulation-failure";
            case VmOutcome.InternalError _ -> "internal-error";
            case VmOutcome.EntryFailure _ -> "entry-failure";
            case VmOutcome.SystemEvent _ -> "system-event";
            case VmOutcome.UnhandledExit _ -> "unhandled-exit";
            case VmOutcome.Stopped _ -> "stopped";
            case VmOutcome.Migrated _ -> "migrated";
            case VmOutcome.VmmFailure _ -> "vmm-failure";
        };
    }
}
