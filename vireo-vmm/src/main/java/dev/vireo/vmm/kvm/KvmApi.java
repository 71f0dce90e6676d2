package dev.vireo.vmm.kvm;

import dev.vireo.sys.IoctlRequest;

/**
 * Constants of the KVM API as {@code <linux/kvm.h>} from Linux 6.1 (linux-libc-dev 6.1, the
 * header Debian bookworm ships) defines them for x86-64: ioctl numbers, capabilities, exit
 * reasons and their sub-codes. Structure sizes in the ioctl numbers are the header's.
 */
public final class KvmApi {
    private static final int KVMIO = 0xAE;

    public static final int API_VERSION = 12;

    /** sizeof(struct kvm_irqfd), sizeof(struct kvm_pit_config), sizeof(struct kvm_ioeventfd). */
    public static final int IRQFD_SIZE = 32, PIT_CONFIG_SIZE = 64, IOEVENTFD_SIZE = 64;

    // system ioctls
    public static final IoctlRequest GET_API_VERSION = IoctlRequest.io("KVM_GET_API_VERSION", KVMIO, 0x00);
    public static final IoctlRequest CREATE_VM = IoctlRequest.io("KVM_CREATE_VM", KVMIO, 0x01);
    public static final IoctlRequest CHECK_EXTENSION = IoctlRequest.io("KVM_CHECK_EXTENSION", KVMIO, 0x03);
    public static final IoctlRequest GET_VCPU_MMAP_SIZE = IoctlRequest.io("KVM_GET_VCPU_MMAP_SIZE", KVMIO, 0x04);
    public static final IoctlRequest GET_SUPPORTED_CPUID = IoctlRequest.iowr("KVM_GET_SUPPORTED_CPUID", KVMIO, 0x05, 8);
    public static final IoctlRequest GET_MSR_INDEX_LIST = IoctlRequest.iowr("KVM_GET_MSR_INDEX_LIST", KVMIO, 0x02, 4);

    // VM ioctls
    public static final IoctlRequest CREATE_VCPU = IoctlRequest.io("KVM_CREATE_VCPU", KVMIO, 0x41);
    public static final IoctlRequest SET_USER_MEMORY_REGION = IoctlRequest.iow("KVM_SET_USER_MEMORY_REGION", KVMIO, 0x46, 32);
    public static final IoctlRequest SET_TSS_ADDR = IoctlRequest.io("KVM_SET_TSS_ADDR", KVMIO, 0x47);
    public static final IoctlRequest CREATE_IRQCHIP = IoctlRequest.io("KVM_CREATE_IRQCHIP", KVMIO, 0x60);
    public static final IoctlRequest IRQFD = IoctlRequest.iow("KVM_IRQFD", KVMIO, 0x76, IRQFD_SIZE);
    public static final IoctlRequest CREATE_PIT2 = IoctlRequest.iow("KVM_CREATE_PIT2", KVMIO, 0x77, PIT_CONFIG_SIZE);
    public static final IoctlRequest IOEVENTFD = IoctlRequest.iow("KVM_IOEVENTFD", KVMIO, 0x79, IOEVENTFD_SIZE);
    public static final IoctlRequest GET_DIRTY_LOG = IoctlRequest.iow("KVM_GET_DIRTY_LOG", KVMIO, 0x42, 16);
    public static final IoctlRequest CLEAR_DIRTY_LOG = IoctlRequest.iowr("KVM_CLEAR_DIRTY_LOG", KVMIO, 0xc0, 24);
    public static final IoctlRequest ENABLE_CAP = IoctlRequest.iow("KVM_ENABLE_CAP", KVMIO, 0xa3, 104);
    public static final IoctlRequest GET_IRQCHIP = IoctlRequest.iowr("KVM_GET_IRQCHIP", KVMIO, 0x62, VmPlatformState.IRQCHIP_SIZE);
    public static final IoctlRequest SET_IRQCHIP = IoctlRequest.ior("KVM_SET_IRQCHIP", KVMIO, 0x63, VmPlatformState.IRQCHIP_SIZE);
    public static final IoctlRequest SET_CLOCK = IoctlRequest.iow("KVM_SET_CLOCK", KVMIO, 0x7b, VmPlatformState.CLOCK_SIZE);
    public static final IoctlRequest GET_CLOCK = IoctlRequest.ior("KVM_GET_CLOCK", KVMIO, 0x7c, VmPlatformState.CLOCK_SIZE);
    public static final IoctlRequest GET_PIT2 = IoctlRequest.ior("KVM_GET_PIT2", KVMIO, 0x9f, VmPlatformState.PIT2_SIZE);
    public static final IoctlRequest SET_PIT2 = IoctlRequest.iow("KVM_SET_PIT2", KVMIO, 0xa0, VmPlatformState.PIT2_SIZE);

    // vCPU ioctls
    public static final IoctlRequest RUN = IoctlRequest.io("KVM_RUN", KVMIO, 0x80);
    public static final IoctlRequest GET_REGS = IoctlRequest.ior("KVM_GET_REGS", KVMIO, 0x81, Regs.SIZE);
    public static final IoctlRequest SET_REGS = IoctlRequest.iow("KVM_SET_REGS", KVMIO, 0x82, Regs.SIZE);
    public static final IoctlRequest GET_SREGS = IoctlRequest.ior("KVM_GET_SREGS", KVMIO, 0x83, Sregs.SIZE);
    public static final IoctlRequest SET_SREGS = IoctlRequest.iow("KVM_SET_SREGS", KVMIO, 0x84, Sregs.SIZE);
    public static final IoctlRequest TRANSLATE = IoctlRequest.iowr("KVM_TRANSLATE", KVMIO, 0x85, 24);
    public static final IoctlRequest SET_SIGNAL_MASK = IoctlRequest.iow("KVM_SET_SIGNAL_MASK", KVMIO, 0x8b, 4);
    public static final IoctlRequest GET_FPU = IoctlRequest.ior("KVM_GET_FPU", KVMIO, 0x8c, Fpu.SIZE);
    public static final IoctlRequest SET_FPU = IoctlRequest.iow("KVM_SET_FPU", KVMIO, 0x8d, Fpu.SIZE);
    public static final IoctlRequest SET_CPUID2 = IoctlRequest.iow("KVM_SET_CPUID2", KVMIO, 0x90, 8);
    public static final IoctlRequest GET_CPUID2 = IoctlRequest.iowr("KVM_GET_CPUID2", KVMIO, 0x91, 8);
    public static final IoctlRequest GET_TSC_KHZ = IoctlRequest.io("KVM_GET_TSC_KHZ", KVMIO, 0xa3);
    public static final IoctlRequest GET_STATS_FD = IoctlRequest.io("KVM_GET_STATS_FD", KVMIO, 0xce);
    public static final IoctlRequest GET_MSRS = IoctlRequest.iowr("KVM_GET_MSRS", KVMIO, 0x88, 8);
    public static final IoctlRequest SET_MSRS = IoctlRequest.iow("KVM_SET_MSRS", KVMIO, 0x89, 8);
    public static final IoctlRequest GET_LAPIC = IoctlRequest.ior("KVM_GET_LAPIC", KVMIO, 0x8e, VcpuState.LAPIC_SIZE);
    public static final IoctlRequest SET_LAPIC = IoctlRequest.iow("KVM_SET_LAPIC", KVMIO, 0x8f, VcpuState.LAPIC_SIZE);
    public static final IoctlRequest GET_MP_STATE = IoctlRequest.ior("KVM_GET_MP_STATE", KVMIO, 0x98, 4);
    public static final IoctlRequest SET_MP_STATE = IoctlRequest.iow("KVM_SET_MP_STATE", KVMIO, 0x99, 4);
    public static final IoctlRequest GET_VCPU_EVENTS = IoctlRequest.ior("KVM_GET_VCPU_EVENTS", KVMIO, 0x9f, VcpuState.EVENTS_SIZE);
    public static final IoctlRequest SET_VCPU_EVENTS = IoctlRequest.iow("KVM_SET_VCPU_EVENTS", KVMIO, 0xa0, VcpuState.EVENTS_SIZE);
    public static final IoctlRequest GET_DEBUGREGS = IoctlRequest.ior("KVM_GET_DEBUGREGS", KVMIO, 0xa1, VcpuState.DEBUGREGS_SIZE);
    public static final IoctlRequest SET_DEBUGREGS = IoctlRequest.iow("KVM_SET_DEBUGREGS", KVMIO, 0xa2, VcpuState.DEBUGREGS_SIZE);
    public static final IoctlRequest GET_XSAVE = IoctlRequest.ior("KVM_GET_XSAVE", KVMIO, 0xa4, VcpuState.XSAVE_SIZE);
    public static final IoctlRequest SET_XSAVE = IoctlRequest.iow("KVM_SET_XSAVE", KVMIO, 0xa5, VcpuState.XSAVE_SIZE);
    public static final IoctlRequest GET_XCRS = IoctlRequest.ior("KVM_GET_XCRS", KVMIO, 0xa6, VcpuState.XCRS_SIZE);
    public static final IoctlRequest SET_XCRS = IoctlRequest.iow("KVM_SET_XCRS", KVMIO, 0xa7, VcpuState.XCRS_SIZE);
    public static final IoctlRequest GET_XSAVE2 = IoctlRequest.ior("KVM_GET_XSAVE2", KVMIO, 0xcf, VcpuState.XSAVE_SIZE);

    // capabilities (KVM_CAP_*)
    public static final int CAP_IRQCHIP = 0;
    public static final int CAP_USER_MEMORY = 3;
    public static final int CAP_SET_TSS_ADDR = 4;
    public static final int CAP_EXT_CPUID = 7;
    public static final int CAP_NR_MEMSLOTS = 10;
    public static final int CAP_MP_STATE = 14;
    public static final int CAP_IRQFD = 32;
    public static final int CAP_PIT2 = 33;
    public static final int CAP_IOEVENTFD = 36;
    public static final int CAP_ADJUST_CLOCK = 39;
    public static final int CAP_VCPU_EVENTS = 41;
    public static final int CAP_DEBUGREGS = 50;
    public static final int CAP_XSAVE = 55;
    public static final int CAP_XCRS = 56;
    public static final int CAP_GET_TSC_KHZ = 61;
    public static final int CAP_SYNC_REGS = 74;
    public static final int CAP_IMMEDIATE_EXIT = 136;
    public static final int CAP_BINARY_STATS_FD = 203;
    public static final int CAP_MANUAL_DIRTY_LOG_PROTECT2 = 168;

    // KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 options
    public static final long DIRTY_LOG_MANUAL_PROTECT_ENABLE = 1;
    public static final int CAP_XSAVE2 = 208;
    // KVM_GET/SET_IRQCHIP chip ids
    public static final int IRQCHIP_PIC_MASTER = 0, IRQCHIP_PIC_SLAVE = 1, IRQCHIP_IOAPIC = 2;

    // memory region flags
    public static final int MEM_LOG_DIRTY_PAGES = 1;
    public static final int MEM_READONLY = 2;

    // struct kvm_pit_config flags
    public static final int PIT_SPEAKER_DUMMY = 1;

    // struct kvm_ioeventfd flags (1 << kvm_ioeventfd_flag_nr_*)
    public static final int IOEVENTFD_FLAG_DATAMATCH = 1, IOEVENTFD_FLAG_PIO = 1 << 1, IOEVENTFD_FLAG_DEASSIGN = 1 << 2;

    // exit reasons (KVM_EXIT_*), indexed by value
    public static final int EXIT_UNKNOWN = 0, EXIT_EXCEPTION = 1, EXIT_IO = 2, EXIT_HYPERCALL = 3,
            EXIT_DEBUG = 4, EXIT_HLT = 5, EXIT_MMIO = 6, EXIT_IRQ_WINDOW_OPEN = 7, EXIT_SHUTDOWN = 8,
            EXIT_FAIL_ENTRY = 9, EXIT_INTR = 10, EXIT_SET_TPR = 11, EXIT_TPR_ACCESS = 12, EXIT_NMI = 16,
            EXIT_INTERNAL_ERROR = 17, EXIT_SYSTEM_EVENT = 24, EXIT_IOAPIC_EOI = 26, EXIT_HYPERV = 27,
            EXIT_X86_RDMSR = 29, EXIT_X86_WRMSR = 30, EXIT_DIRTY_RING_FULL = 31,
            EXIT_AP_RESET_HOLD = 32, EXIT_X86_BUS_LOCK = 33, EXIT_XEN = 34, EXIT_NOTIFY = 37,
            EXIT_MEMORY_FAULT = 39;

    private static final String[] EXIT_NAMES = {
            "UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO", "IRQ_WINDOW_OPEN",
            "SHUTDOWN", "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET",
            "DCR", "NMI", "INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG",
            "S390_TSCH", "EPR", "SYSTEM_EVENT", "S390_STSI", "IOAPIC_EOI", "HYPERV", "ARM_NISV",
            "X86_RDMSR", "X86_WRMSR", "DIRTY_RING_FULL", "AP_RESET_HOLD", "X86_BUS_LOCK", "XEN",
            "RISCV_SBI", "RISCV_CSR", "NOTIFY", "LOONGARCH_IOCSR", "MEMORY_FAULT"};

    /** Exit reasons are counted in arrays of this length; larger values share the last slot. */
    public static final int EXIT_REASON_SLOTS = 64;

    // KVM_EXIT_INTERNAL_ERROR sub-errors
    public static final int INTERNAL_ERROR_EMULATION = 1, INTERNAL_ERROR_SIMUL_EX = 2,
            INTERNAL_ERROR_DELIVERY_EV = 3, INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4;
    public static final long INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES = 1;

    // KVM_EXIT_SYSTEM_EVENT types
    public static final int SYSTEM_EVENT_SHUTDOWN = 1, SYSTEM_EVENT_RESET = 2, SYSTEM_EVENT_CRASH = 3;

    private KvmApi() {}

    /** The header's name for an exit reason, such as {@code "IO"}; unknown values as a number. */
    public static String exitName(int reason) {
        return reason >= 0 && reason < EXIT_NAMES.length ? EXIT_NAMES[reason] : "EXIT_" + reason;
    }

    public static String internalErrorName(int suberror) {
        return switch (suberror) {
            case INTERNAL_ERROR_EMULATION -> "EMULATION";
            case INTERNAL_ERROR_SIMUL_EX -> "SIMUL_EX (exception while delivering an exception)";
            case INTERNAL_ERROR_DELIVERY_EV -> "DELIVERY_EV (event delivery failed)";
            case INTERNAL_ERROR_UNEXPECTED_EXIT_REASON -> "UNEXPECTED_EXIT_REASON";
            default -> "suberror " + suberror;
        };
    }
}
