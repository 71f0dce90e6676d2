package dev.vireo.vmm.boot;

import dev.vireo.vmm.VmConfigException;
import dev.vireo.vmm.memory.GuestMemory;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Loads an ELF64 x86-64 kernel into guest memory: each PT_LOAD segment goes to its physical
 * address (p_paddr), its bss is zeroed, and the entry point is translated to the physical
 * address the CPU starts at (the boot page tables are an identity map). A Xen PVH note, if
 * present, is reported but not needed: Vireo enters in 64-bit mode at the ELF entry.
 */
public final class ElfLoader {
    static final int PT_LOAD = 1, PT_NOTE = 4;
    static final int EM_X86_64 = 62, ET_EXEC = 2, ET_DYN = 3;
    static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;

    /** A PT_LOAD segment: where it goes and how much of it comes from the file. */
    public record LoadSegment(long physicalAddress, long virtualAddress, long fileOffset, long fileSize, long memorySize) {}

    /** A parsed kernel: its segments, the physical entry address, and the PVH entry if any. */
    public record KernelImage(List<LoadSegment> segments, long entry, OptionalLong pvhEntry) {
        public long end() {
            return segments.stream().mapToLong(s -> s.physicalAddress() + s.memorySize()).max().orElse(0);
        }
    }

    private ElfLoader() {}

    /** Checks that {@code elf} is a loadable ELF64 x86-64 executable; {@code what} names it in errors. */
    public static KernelImage parse(byte[] elf, String what) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (elf.length < 4 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F') {
            throw new VmConfigException(what + " is not an ELF file");
        }
        if (elf.length < 64) throw new VmConfigException(what + " is truncated: shorter than an ELF64 header");
        if (elf[4] != 2) throw new VmConfigException(what + " is a 32-bit ELF; Vireo boots ELF64 x86-64 kernels");
        if (elf[5] != 1) throw new VmConfigException(what + " is a big-endian ELF; Vireo boots ELF64 x86-64 kernels");
        int type = Short.toUnsignedInt(b.getShort(16));
        int machine = Short.toUnsignedInt(b.getShort(18));
        if (machine != EM_X86_64) {
            throw new VmConfigException(what + " is an ELF for machine " + machineName(machine) + ", not x86-64");
        }
        if (type != ET_EXEC && type != ET_DYN) {
            throw new VmConfigException(what + " is not an executable ELF (e_type " + type + ")");
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        if (phentsize < 56 || phoff < 0 || phoff > elf.length || (long) phnum * phentsize > elf.length - phoff) {
            throw new VmConfigException(what + " is truncated: its program headers lie outside the file");
        }
        List<LoadSegment> segments = new ArrayList<>();
        OptionalLong pvh = OptionalLong.empty();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            int ptype = b.getInt(at);
            long offset = b.getLong(at + 8), vaddr = b.getLong(at + 16), paddr = b.getLong(at + 24);
            long filesz = b.getLong(at + 32), memsz = b.getLong(at + 40);
            if (ptype != PT_LOAD && ptype != PT_NOTE) continue;
            if (offset < 0 || filesz < 0 || offset > elf.length || filesz > elf.length - offset) {
                throw new VmConfigException(what + " is truncated: segment " + i + " lies outside the file");
            }
            if (ptype == PT_NOTE) {
                if (pvh.isEmpty()) pvh = pvhEntry(b, (int) offset, (int) filesz);
                continue;
            }
            if (memsz < filesz || paddr < 0 || memsz > Long.MAX_VALUE - paddr) {
                throw new VmConfigException(what + " has a malformed segment " + i);
            }
            if (memsz > 0) segments.add(new LoadSegment(paddr, vaddr, offset, filesz, memsz));
        }
        if (segments.isEmpty()) throw new VmConfigException(what + " has no loadable segments");
        long physicalEntry = -1;
        for (LoadSegment s : segments) {
            if (Long.compareUnsigned(entry - s.virtualAddress(), s.memorySize()) < 0) {
                physicalEntry = s.physicalAddress() + (entry - s.virtualAddress());
                break;
            }
        }
        if (physicalEntry < 0) {
            throw new VmConfigException(what + String.format(": entry point 0x%x lies outside every loadable segment", entry));
        }
        return new KernelImage(List.copyOf(segments), physicalEntry, pvh);
    }

    /** Checks every segment lies in the RAM of a guest with {@code memorySize} bytes, above the boot area. */
    public static void checkFits(KernelImage image, String what, long memorySize) {
        for (LoadSegment s : image.segments()) {
            if (s.physicalAddress() < BootLayout.KERNEL_MIN) {
                throw new VmConfigException(what + String.format(
                        ": segment at 0x%x overlaps the boot area below 1 MiB; link the kernel at 0x100000 or above",
                        s.physicalAddress()));
            }
            if (!GuestMemory.isRam(memorySize, s.physicalAddress(), s.memorySize())) {
                throw new VmConfigException(what + String.format(
                        ": segment at 0x%x (%d bytes) does not fit in guest memory of %d MiB", s.physicalAddress(),
                        s.memorySize(), memorySize >> 20));
            }
        }
    }

    /** Parses, checks the kernel fits, and copies its segments into guest memory. */
    public static KernelImage load(byte[] elf, String what, GuestMemory memory) {
        KernelImage image = parse(elf, what);
        checkFits(image, what, memory.size());
        copy(elf, image, memory);
        return image;
    }

    /** Copies the segments of a checked image to their physical addresses and zeroes their bss. */
    public static void copy(byte[] elf, KernelImage image, GuestMemory memory) {
        for (LoadSegment s : image.segments()) {
            MemorySegment target = memory.slice(s.physicalAddress(), s.memorySize());
            MemorySegment.copy(MemorySegment.ofArray(elf), s.fileOffset(), target, 0, s.fileSize());
            target.asSlice(s.fileSize()).fill((byte) 0);
        }
    }

    private static OptionalLong pvhEntry(ByteBuffer b, int offset, int size) {
        int at = offset, end = offset + size;
        while (at + 12 <= end) {
            int namesz = b.getInt(at), descsz = b.getInt(at + 4), type = b.getInt(at + 8);
            if (namesz < 0 || descsz < 0) break;
            int name = at + 12, desc = name + align4(namesz);
            if (desc + descsz > end) break;
            boolean xen = namesz == 4 && b.get(name) == 'X' && b.get(name + 1) == 'e' && b.get(name + 2) == 'n';
            if (xen && type == XEN_ELFNOTE_PHYS32_ENTRY && (descsz == 4 || descsz == 8)) {
                return OptionalLong.of(descsz == 8 ? b.getLong(desc) : Integer.toUnsignedLong(b.getInt(desc)));
            }
            at = desc + align4(descsz);
        }
        return OptionalLong.empty();
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }

    private static String machineName(int machine) {
        return switch (machine) {
            case 3 -> "i386";
            case 40 -> "ARM";
            case 183 -> "AArch64";
            case 243 -> "RISC-V";
            default -> String.valueOf(machine);
        };
    }
}
