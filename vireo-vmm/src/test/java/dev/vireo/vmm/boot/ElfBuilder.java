package dev.vireo.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Builds small ELF64 images for tests: a header, program headers and segment contents. */
final class ElfBuilder {
    record Segment(int type, long vaddr, long paddr, byte[] data, long memsz) {}

    private final List<Segment> segments = new ArrayList<>();
    private long entry;
    private int elfClass = 2, data = 1, machine = ElfLoader.EM_X86_64, type = ElfLoader.ET_EXEC;

    ElfBuilder entry(long entry) {
        this.entry = entry;
        return this;
    }

    ElfBuilder load(long vaddr, long paddr, byte[] bytes, long memsz) {
        segments.add(new Segment(ElfLoader.PT_LOAD, vaddr, paddr, bytes, memsz));
        return this;
    }

    ElfBuilder note(byte[] bytes) {
        segments.add(new Segment(ElfLoader.PT_NOTE, 0, 0, bytes, bytes.length));
        return this;
    }

    ElfBuilder machine(int machine) {
        this.machine = machine;
        return this;
    }

    ElfBuilder elfClass(int elfClass) {
        this.elfClass = elfClass;
        return this;
    }

    ElfBuilder bigEndian() {
        this.data = 2;
        return this;
    }

    ElfBuilder type(int type) {
        this.type = type;
        return this;
    }

    byte[] build() {
        int phoff = 64, phsize = 56;
        long offset = phoff + (long) segments.size() * phsize;
        int total = (int) offset + segments.stream().mapToInt(s -> s.data().length).sum();
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, (byte) data, 1, 0});
        b.position(16);
        b.putShort((short) type).putShort((short) machine).putInt(1).putLong(entry).putLong(phoff).putLong(0)
                .putInt(0).putShort((short) 64).putShort((short) phsize).putShort((short) segments.size())
                .putShort((short) 64).putShort((short) 0).putShort((short) 0);
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            b.position(phoff + i * phsize);
            b.putInt(s.type()).putInt(7).putLong(offset).putLong(s.vaddr()).putLong(s.paddr())
                    .putLong(s.data().length).putLong(s.memsz()).putLong(4096);
            b.put((int) offset, s.data());
            offset += s.data().length;
        }
        return b.array();
    }

    /** A Xen PVH note naming {@code entry}, as the guest kernel carries one. */
    static byte[] pvhNote(long entry) {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4).putInt(8).putInt(ElfLoader.XEN_ELFNOTE_PHYS32_ENTRY).put(new byte[] {'X', 'e', 'n', 0}).putLong(entry);
        return b.array();
    }
}
