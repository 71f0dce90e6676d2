package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The smallest real KVM round trip through vireo-sys alone: a VM with one 4 KiB memory slot
 * holding {@code mov al,'K'; mov dx,0x3f8; out dx,al; hlt}, one vCPU in real mode, run until it
 * halts. It proves a /dev/kvm (a host's or scripts/kvm-testbed's) drives guest code; the VMM
 * proper lives in vireo-vmm. {@link KvmSmokeTest} runs it as a test, bench/kvm-testbed as a
 * program.
 */
public final class KvmSmoke {
    private static final int KVMIO = 0xAE;
    static final IoctlRequest GET_API_VERSION = IoctlRequest.io("KVM_GET_API_VERSION", KVMIO, 0x00);
    static final IoctlRequest CREATE_VM = IoctlRequest.io("KVM_CREATE_VM", KVMIO, 0x01);
    static final IoctlRequest GET_VCPU_MMAP_SIZE = IoctlRequest.io("KVM_GET_VCPU_MMAP_SIZE", KVMIO, 0x04);
    static final IoctlRequest CREATE_VCPU = IoctlRequest.io("KVM_CREATE_VCPU", KVMIO, 0x41);
    static final IoctlRequest SET_USER_MEMORY_REGION = IoctlRequest.iow("KVM_SET_USER_MEMORY_REGION", KVMIO, 0x46, 32);
    static final IoctlRequest RUN = IoctlRequest.io("KVM_RUN", KVMIO, 0x80);
    static final IoctlRequest SET_REGS = IoctlRequest.iow("KVM_SET_REGS", KVMIO, 0x82, 144);
    static final IoctlRequest GET_SREGS = IoctlRequest.ior("KVM_GET_SREGS", KVMIO, 0x83, 312);
    static final IoctlRequest SET_SREGS = IoctlRequest.iow("KVM_SET_SREGS", KVMIO, 0x84, 312);

    static final int EXIT_IO = 2, EXIT_HLT = 5;
    static final long GUEST_ADDRESS = 0x1000, PAGE = 4096;
    static final byte[] CODE = {(byte) 0xB0, 'K', (byte) 0xBA, (byte) 0xF8, 0x03, (byte) 0xEE, (byte) 0xF4};

    /** One VM exit as the test reads it: its reason and, for port I/O, the port and the byte. */
    record Exit(int reason, int port, int data) {
        @Override
        public String toString() {
            return switch (reason) {
                case EXIT_IO -> "KVM_EXIT_IO(port 0x%x, '%c')".formatted(port, (char) data);
                case EXIT_HLT -> "KVM_EXIT_HLT";
                default -> "exit reason " + reason;
            };
        }
    }

    /** What the round trip saw: the API version and each exit in order, up to the first non-I/O exit. */
    record Trace(int apiVersion, List<Exit> exits) {}

    private KvmSmoke() {}

    static Trace run() {
        try (Arena arena = Arena.ofConfined();
             Fd kvm = FileIo.open("/dev/kvm", FileIo.O_RDWR)) {
            int version = Ioctl.call(kvm, GET_API_VERSION);
            if (version != 12) return new Trace(version, List.of());
            try (Fd vm = Fd.own(Ioctl.call(kvm, CREATE_VM))) {
                MemorySegment memory = Mmap.anonymous(PAGE, Mmap.PROT_READ | Mmap.PROT_WRITE, 0, arena);
                MemorySegment.copy(CODE, 0, memory, JAVA_BYTE, 0, CODE.length);
                MemorySegment region = arena.allocate(32);
                region.set(JAVA_INT, 0, 0);                      // slot
                region.set(JAVA_LONG, 8, GUEST_ADDRESS);         // guest_phys_addr
                region.set(JAVA_LONG, 16, PAGE);                 // memory_size
                region.set(JAVA_LONG, 24, memory.address());     // userspace_addr
                Ioctl.call(vm, SET_USER_MEMORY_REGION, region);
                try (Fd vcpu = Fd.own(Ioctl.call(vm, CREATE_VCPU, 0))) {
                    long runSize = Ioctl.call(kvm, GET_VCPU_MMAP_SIZE);
                    MemorySegment kvmRun = Mmap.map(runSize, Mmap.PROT_READ | Mmap.PROT_WRITE, Mmap.MAP_SHARED, vcpu, 0, arena);
                    enterRealModeAt(vcpu, arena);
                    return new Trace(version, runUntilNotIo(vcpu, kvmRun));
                }
            }
        }
    }

    /** CS base and selector 0 (reset leaves 0xffff0000/0xf000), RIP at the code, RFLAGS reserved bit. */
    private static void enterRealModeAt(Fd vcpu, Arena arena) {
        MemorySegment sregs = arena.allocate(312);
        Ioctl.call(vcpu, GET_SREGS, sregs);
        sregs.set(JAVA_LONG, 0, 0L);     // cs.base
        sregs.set(JAVA_SHORT, 12, (short) 0); // cs.selector
        Ioctl.call(vcpu, SET_SREGS, sregs);
        MemorySegment regs = arena.allocate(144);
        regs.set(JAVA_LONG, 128, GUEST_ADDRESS); // rip
        regs.set(JAVA_LONG, 136, 0x2L);          // rflags
        Ioctl.call(vcpu, SET_REGS, regs);
    }

    private static List<Exit> runUntilNotIo(Fd vcpu, MemorySegment kvmRun) {
        List<Exit> exits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Ioctl.call(vcpu, RUN);
            int reason = kvmRun.get(JAVA_INT, 8);
            if (reason != EXIT_IO) {
                exits.add(new Exit(reason, 0, 0));
                break;
            }
            // struct kvm_run's io member: direction, size, port, count, data_offset (from the mapping's start).
            int port = Short.toUnsignedInt(kvmRun.get(JAVA_SHORT, 34));
            long dataOffset = kvmRun.get(JAVA_LONG, 40);
            exits.add(new Exit(reason, port, Byte.toUnsignedInt(kvmRun.get(JAVA_BYTE, dataOffset))));
        }
        return exits;
    }

    /** Prints the trace and the time it took; exits 1 unless the guest wrote 'K' to 0x3f8 and halted. */
    public static void main(String[] args) {
        long start = System.nanoTime();
        Trace trace = run();
        long micros = (System.nanoTime() - start) / 1000;
        System.out.printf("KVM_GET_API_VERSION %d; exits %s; %d us%n", trace.apiVersion(), trace.exits(), micros);
        boolean ok = trace.apiVersion() == 12 && trace.exits().equals(
                List.of(new Exit(EXIT_IO, 0x3f8, 'K'), new Exit(EXIT_HLT, 0, 0)));
        System.exit(ok ? 0 : 1);
    }
}
