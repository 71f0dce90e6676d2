package dev.vireo.vmm.kvm;

import dev.vireo.vmm.boot.Gdt;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The structures are laid out at the offsets of linux/kvm.h (6.1), checked without KVM. */
class KvmStructsTest {

    @Test
    void regsAreEighteenQuadsEndingWithRipAndRflags() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(Regs.SIZE, 8);
            Regs regs = new Regs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x100000, 0x2);
            regs.write(m);
            assertEquals(6, m.get(JAVA_LONG, 5 * 8), "rdi is the sixth field");
            assertEquals(0x100000, m.get(JAVA_LONG, 128), "rip at offset 128");
            assertEquals(regs, Regs.read(m));
        }
    }

    @Test
    void sregsPlaceSegmentsTablesAndControlRegistersAsTheHeaderDoes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(Sregs.SIZE, 8);
            Segment zero = new Segment(0, 0, 0, 0, false, 0, false, false, false, false, false, false);
            Sregs sregs = new Sregs(zero, zero, zero, zero, zero, zero, zero, zero, new Sregs.DescriptorTable(0, 0),
                    new Sregs.DescriptorTable(0, 0), 0, 0, 0, 0, 0, 0, 0xfee00900L, new long[4])
                    .withSegments(Gdt.code(), Gdt.data(), Gdt.tss(), new Sregs.DescriptorTable(0x500, 31),
                            new Sregs.DescriptorTable(0x520, 7))
                    .withControl(0x80050033L, 0x10000, 0x20, 0x500);
            sregs.write(m);
            assertEquals(0x08, m.get(JAVA_SHORT, 12), "cs.selector");
            assertEquals(1, m.get(JAVA_BYTE, 19), "cs.l");
            assertEquals(0x10, m.get(JAVA_SHORT, 24 + 12), "ds.selector");
            assertEquals(0x500, m.get(JAVA_LONG, 192), "gdt.base");
            assertEquals(31, m.get(JAVA_SHORT, 200), "gdt.limit");
            assertEquals(0x80050033L, m.get(JAVA_LONG, 224), "cr0");
            assertEquals(0x10000, m.get(JAVA_LONG, 240), "cr3");
            assertEquals(0x500, m.get(JAVA_LONG, 264), "efer");
            assertEquals(0xfee00900L, m.get(JAVA_LONG, 272), "apic_base");
            Sregs back = Sregs.read(m);
            assertEquals(sregs.cs(), back.cs());
            assertEquals(sregs.tr(), back.tr());
            assertEquals(sregs.gdt(), back.gdt());
            assertEquals(sregs.cr3(), back.cr3());
            assertArrayEquals(sregs.interruptBitmap(), back.interruptBitmap());
        }
    }

    @Test
    void initialFpuStateHasTheFinitControlWordAndMaskedSseExceptions() {
        Fpu fpu = Fpu.initial();
        assertEquals(0x37f, fpu.fcw());
        assertEquals(0x1f80, fpu.mxcsr());
        assertEquals(416, fpu.raw().length);
    }

    @Test
    void ioctlNumbersCarryTheStructureSizes() {
        assertEquals(0x4138ae84L, KvmApi.SET_SREGS.number());
        assertEquals(0x81a0ae8cL, KvmApi.GET_FPU.number());
        assertEquals(0xc008ae05L, KvmApi.GET_SUPPORTED_CPUID.number());
        assertEquals(0xc018ae85L, KvmApi.TRANSLATE.number());
        assertEquals(0x4004ae8bL, KvmApi.SET_SIGNAL_MASK.number());
        assertEquals("IO", KvmApi.exitName(KvmApi.EXIT_IO));
        assertEquals("SHUTDOWN", KvmApi.exitName(8));
    }

    @Test
    void interruptControllerAndEventfdIoctlsCarryTheHeadersNumbers() {
        assertEquals(0xae60L, KvmApi.CREATE_IRQCHIP.number());
        assertEquals(0x4020ae76L, KvmApi.IRQFD.number(), "_IOW(KVMIO, 0x76, struct kvm_irqfd)");
        assertEquals(0x4040ae77L, KvmApi.CREATE_PIT2.number(), "_IOW(KVMIO, 0x77, struct kvm_pit_config)");
        assertEquals(0x4040ae79L, KvmApi.IOEVENTFD.number(), "_IOW(KVMIO, 0x79, struct kvm_ioeventfd)");
    }

    @Test
    void dirtyLogIoctlNumbersMatchTheHeader() {
        assertEquals(0x4010ae42L, KvmApi.GET_DIRTY_LOG.number());
        assertEquals(0xc018aec0L, KvmApi.CLEAR_DIRTY_LOG.number());
        assertEquals(0x4068aea3L, KvmApi.ENABLE_CAP.number());
    }
}
