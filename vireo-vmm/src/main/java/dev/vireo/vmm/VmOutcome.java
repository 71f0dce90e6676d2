package dev.vireo.vmm;

import java.util.HexFormat;

/**
 * How a VM's run ended. {@link #exitStatus()} is what {@code vireo vm run} exits with: the
 * guest's own status when it powered off through the exit device, 1 when the VM failed.
 */
public sealed interface VmOutcome {
    int exitStatus();

    /** One line for a person. */
    String describe();

    /** The guest wrote its status to the exit device. */
    record PoweredOff(int status) implements VmOutcome {
        public int exitStatus() {
            return status;
        }

        public String describe() {
            return "the guest powered off with status " + status;
        }
    }

    /**
     * KVM_EXIT_HLT: the guest halted and KVM handed the HLT to the VMM, which it does only without
     * an in-kernel interrupt controller. Vireo creates one, so KVM waits for an interrupt itself.
     */
    record Halted(long rip) implements VmOutcome {
        public int exitStatus() {
            return 1;
        }

        public String describe() {
            return String.format("the guest halted at RIP 0x%x and nothing can wake it (it should power off through port 0xf4)", rip);
        }
    }

    /**
     * The CPU shut down: a triple fault. {@code rip} is where it happened, or, when KVM
     * re-initialised the vCPU on the shutdown (AMD SVM does: the VMCB is undefined after it),
     * the RIP of the exit before, the last one known ({@code ripLost}).
     */
    record TripleFault(long rip, boolean ripLost) implements VmOutcome {
        public int exitStatus() {
            return 1;
        }

        public String describe() {
            if (ripLost) {
                return String.format("the guest triple-faulted (KVM_EXIT_SHUTDOWN); KVM reset the vCPU, so the last RIP known is 0x%x, from the exit before; exit status %d",
                        rip, exitStatus());
            }
            return String.format("the guest triple-faulted (KVM_EXIT_SHUTDOWN) at RIP 0x%x; exit status %d", rip, exitStatus());
        }
    }

    /** KVM's instruction emulator could not handle an instruction. */
    record EmulationFailure(int suberror, long rip, byte[] instruction) implements VmOutcome {
        public EmulationFailure {
            instruction = instruction.clone();
        }

        @Override
        public byte[] instruction() {
            return instruction.clone();
        }

        public int exitStatus() {
            return 1;
        }

        public String describe() {
            String bytes = instruction.length == 0 ? "unavailable" : HexFormat.ofDelimiter(" ").formatHex(instruction);
            return String.format("KVM could not emulate an instruction (KVM_EXIT_INTERNAL_ERROR, suberror %d EMULATION) at RIP 0x%x; instruction bytes: %s",
                    suberror, rip, bytes);
        }
    }

    /** Another KVM internal error. */
    record InternalError(int suberror, String name, long[] data) implements VmOutcome {
        public InternalError {
            data = data.clone();
        }

        @Override
        public long[] data() {
            return data.clone();
        }

        public int exitStatus() {
            return 1;
        }

        public String describe() {
            StringBuilder words = new StringBuilder();
            for (long d : data) words.append(String.format(" 0x%x", d));
            return "KVM reported an internal error (suberror " + suberror + " " + name + "), data:" + words;
        }
    }

    /** VM entry failed: the hardware refused the vCPU's state. */
    record EntryFailure(long hardwareReason, int cpu) implements VmOutcome {
        public int exitStatus() {
            return 1;
        }

        public String describe() {
            return String.format("VM entry failed on host CPU %d, hardware reason 0x%x", cpu, hardwareReason);
        }
    }

    /** The guest asked KVM for a shutdown, reset or crash (KVM_EXIT_SYSTEM_EVENT). */
    record SystemEvent(int type) implements VmOutcome {
        public int exitStatus() {
            return type == 1 ? 0 : 1;
        }

        public String describe() {
            String what = switch (type) {
                case 1 -> "shutdown";
                case 2 -> "reset";
                case 3 -> "crash";
                default -> "event " + type;
            };
            return "the guest requested a system " + what;
        }
    }

    /** KVM returned an exit reason the VMM does not handle. */
    record UnhandledExit(String reason) implements VmOutcome {
        public int exitStatus() {
            return 1;
        }

        public String describe() {
            return "unhandled VM exit KVM_EXIT_" + reason;
        }
    }

    /** Stopped by a {@link VmmAction.Stop} request. */
    record Stopped() implements VmOutcome {
        public int exitStatus() {
            return 0;
        }

        public String describe() {
            return "stopped on request";
        }
    }

    /** The VM migrated away: it runs at {@code destination} now. */
    record Migrated(String destination) implements VmOutcome {
        public int exitStatus() {
            return 0;
        }

        public String describe() {
            return "the VM migrated to " + destination + " and runs there now";
        }
    }

    /** The VMM itself failed while handling an exit. */
    record VmmFailure(String message) implements VmOutcome {
        public int exitStatus() {
            return 1;
        }

        public String describe() {
            return "the VMM failed: " + message;
        }
    }
}
