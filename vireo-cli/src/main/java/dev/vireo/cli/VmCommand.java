package dev.vireo.cli;

import dev.vireo.vmm.GuestResult;
import dev.vireo.vmm.StatisticsReport;
import dev.vireo.vmm.VirtualMachine;
import dev.vireo.vmm.VmConfig;
import dev.vireo.vmm.VmOutcome;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code vireo vm}: runs a VM on KVM. {@code vm run} boots Vireo's guest kernel (or
 * {@code --kernel FILE}), connects its serial console to the terminal (or {@code --serial FILE})
 * and exits with the guest's status. {@code --stats} prints the exit counters as a table on
 * stderr afterwards; {@code --json} prints one JSON document on stdout and moves the console to
 * stderr.
 */
final class VmCommand implements Command {
    private static final String USAGE = "usage: vireo vm run [--kernel FILE] [--memory SIZE] [--cmdline \"...\"] "
            + "[--serial FILE] [--stats] [--json]";

    @Override
    public String summary() {
        return "run a virtual machine on KVM (vm run --help)";
    }

    @Override
    public int run(List<String> args) throws Exception {
        if (args.isEmpty() || !args.getFirst().equals("run")) throw new UsageException(USAGE);
        Args a = Args.spec("vm run").option("--kernel").option("--memory", "-m").option("--cmdline")
                .option("--serial").flag("--stats").flag("--json").flag("--help", "-h")
                .parse(args.subList(1, args.size()));
        if (a.flag("--help")) {
            System.out.println(USAGE);
            System.out.println("  without --kernel it boots Vireo's guest; --cmdline picks its workload, such as \"primes 100000\"");
            return 0;
        }
        if (!a.positionals().isEmpty()) throw new UsageException("vm run: unexpected argument " + a.positionals().getFirst());
        boolean json = a.flag("--json");

        VmConfig.Builder config = VmConfig.builder();
        a.value("--kernel").ifPresent(k -> config.kernel(VmConfig.Kernel.file(Path.of(k))));
        a.value("--memory").ifPresent(m -> config.memory(VmConfig.parseMemory(m)));
        a.value("--cmdline").ifPresent(config::cmdline);
        boolean toFile = a.value("--serial").isPresent();
        OutputStream console = toFile ? Files.newOutputStream(Path.of(a.value("--serial").get()))
                : new FileOutputStream(json ? FileDescriptor.err : FileDescriptor.out);
        config.console(console).consoleInput(new FileInputStream(FileDescriptor.in));

        VmOutcome outcome;
        try (VirtualMachine vm = VirtualMachine.create(config.build())) {
            vm.start();
            outcome = vm.awaitOutcome();
            if (!(outcome instanceof VmOutcome.PoweredOff)) System.err.println("vireo vm: " + outcome.describe());
            if (a.flag("--stats")) System.err.print(StatisticsReport.table(vm.statistics()));
            if (json) printJson(outcome, vm);
        } finally {
            // the terminal's descriptors stay open: errors after this still need stderr
            if (toFile) console.close();
            else console.flush();
        }
        return outcome.exitStatus();
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
            case VmOutcome.VmmFailure _ -> "vmm-failure";
        };
    }
}
