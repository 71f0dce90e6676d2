package dev.vireo.vmm.snapshot;

import dev.vireo.vmm.SnapshotException;
import dev.vireo.vmm.kvm.CpuidEntry;
import dev.vireo.vmm.kvm.Fpu;
import dev.vireo.vmm.kvm.Msr;
import dev.vireo.vmm.kvm.Regs;
import dev.vireo.vmm.kvm.Sregs;
import dev.vireo.vmm.kvm.VcpuState;
import dev.vireo.vmm.kvm.VmPlatformState;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The binary form of a {@link MachineState}, big-endian:
 * <pre>
 *   magic "VIREOVMS", u32 format version, u32 section count, then per section:
 *   name (modified UTF-8, u16 length first), u32 payload length, payload, u32 CRC-32C of name and payload
 * </pre>
 * Sections: {@code config}, {@code platform}, {@code vcpu/N} for each vCPU, {@code device/NAME}
 * for each device. KVM structures are stored as the kernel lays them out; absent optional ones
 * as length -1. Decoding checks everything before it returns: magic, version, every CRC, that
 * every section the config implies is there and no other, and that each payload is consumed
 * exactly; any failure is a {@link SnapshotException} that names what is wrong.
 */
public final class StateFile {
    public static final int FORMAT_VERSION = 1;
    private static final byte[] MAGIC = {'V', 'I', 'R', 'E', 'O', 'V', 'M', 'S'};

    private StateFile() {}

    public static byte[] encode(MachineState state) {
        Map<String, byte[]> sections = new LinkedHashMap<>();
        sections.put("config", payload(out -> writeConfig(out, state.config())));
        sections.put("platform", payload(out -> writePlatform(out, state.platform())));
        for (VcpuState vcpu : state.vcpus()) sections.put("vcpu/" + vcpu.id(), payload(out -> writeVcpu(out, vcpu)));
        state.devices().forEach((name, bytes) -> sections.put("device/" + name, bytes));
        return payload(out -> {
            out.write(MAGIC);
            out.writeInt(FORMAT_VERSION);
            out.writeInt(sections.size());
            for (Map.Entry<String, byte[]> s : sections.entrySet()) {
                out.writeUTF(s.getKey());
                out.writeInt(s.getValue().length);
                out.write(s.getValue());
                out.writeInt(crc(s.getKey(), s.getValue()));
            }
        });
    }

    /** Decodes and checks a state file; {@code what} names it in errors, such as {@code "snapshot /srv/snap: state"}. */
    public static MachineState decode(byte[] bytes, String what) {
        Map<String, byte[]> sections = sections(bytes, what);
        MachineState.Config config = parse(sections, "config", what, StateFile::readConfig);
        VmPlatformState platform = parse(sections, "platform", what, StateFile::readPlatform);
        List<VcpuState> vcpus = new ArrayList<>();
        for (int i = 0; i < config.vcpus(); i++) vcpus.add(parse(sections, "vcpu/" + i, what, StateFile::readVcpu));
        Map<String, byte[]> devices = new LinkedHashMap<>();
        for (String device : config.devices()) devices.put(device, take(sections, "device/" + device, what));
        if (!sections.isEmpty()) {
            throw new SnapshotException(what + " has a section this Vireo does not know: " + sections.keySet().iterator().next());
        }
        return new MachineState(config, vcpus, platform, devices);
    }

    private static Map<String, byte[]> sections(byte[] bytes, String what) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        try {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) throw new SnapshotException(what + " is not a Vireo machine state file");
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new SnapshotException(what + " is format version " + version + "; this Vireo reads version " + FORMAT_VERSION);
            }
            int count = in.readInt();
            Map<String, byte[]> sections = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int length = in.readInt();
                if (length < 0 || length > in.available()) throw new EOFException();
                byte[] payload = in.readNBytes(length);
                if (in.readInt() != crc(name, payload)) {
                    throw new SnapshotException(what + ": section " + name + " does not match its CRC-32C (the file is damaged)");
                }
                if (sections.put(name, payload) != null) throw new SnapshotException(what + " has section " + name + " twice");
            }
            if (in.available() > 0) throw new SnapshotException(what + " has " + in.available() + " bytes after its last section");
            return sections;
        } catch (EOFException e) {
            throw new SnapshotException(what + " is truncated");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] take(Map<String, byte[]> sections, String name, String what) {
        byte[] payload = sections.remove(name);
        if (payload == null) throw new SnapshotException(what + " is incomplete: section " + name + " is missing");
        return payload;
    }

    private static <T> T parse(Map<String, byte[]> sections, String name, String what, Reader<T> reader) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(take(sections, name, what)));
        try {
            T value = reader.read(in);
            if (in.available() > 0) throw new IOException(in.available() + " bytes left over");
            return value;
        } catch (IOException | IllegalArgumentException e) {
            String why = e instanceof EOFException ? "it ends early" : e.getMessage();
            throw new SnapshotException(what + ": section " + name + " is malformed: " + why);
        }
    }

    private static byte[] payload(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    private static int crc(String name, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(name.getBytes(StandardCharsets.UTF_8));
        crc.update(payload);
        return (int) crc.getValue();
    }

    private static void writeConfig(DataOutputStream out, MachineState.Config c) throws IOException {
        out.writeLong(c.memoryBytes());
        out.writeInt(c.vcpus());
        out.writeUTF(c.kernel());
        out.writeUTF(c.cmdline());
        out.writeInt(c.devices().size());
        for (String device : c.devices()) out.writeUTF(device);
    }

    private static MachineState.Config readConfig(DataInputStream in) throws IOException {
        long memory = in.readLong();
        int vcpus = in.readInt();
        if (memory <= 0 || memory % 4096 != 0) throw new IOException("memory size " + memory + " is not a whole number of pages");
        if (vcpus < 1 || vcpus > 1024) throw new IOException(vcpus + " vCPUs");
        String kernel = in.readUTF(), cmdline = in.readUTF();
        int count = count(in);
        List<String> devices = new ArrayList<>();
        for (int i = 0; i < count; i++) devices.add(in.readUTF());
        return new MachineState.Config(memory, vcpus, kernel, cmdline, devices);
    }

    private static void writePlatform(DataOutputStream out, VmPlatformState p) throws IOException {
        out.writeInt(p.irqchips().size());
        for (byte[] chip : p.irqchips()) blob(out, chip);
        blob(out, p.pit2());
        blob(out, p.clock());
    }

    private static VmPlatformState readPlatform(DataInputStream in) throws IOException {
        int chips = count(in);
        if (chips != 0 && chips != 3) throw new IOException(chips + " interrupt controllers (a VM has none or three)");
        List<byte[]> irqchips = new ArrayList<>();
        for (int i = 0; i < chips; i++) irqchips.add(blob(in, VmPlatformState.IRQCHIP_SIZE));
        return new VmPlatformState(irqchips, blob(in, VmPlatformState.PIT2_SIZE), required(blob(in, VmPlatformState.CLOCK_SIZE), "kvm_clock_data"));
    }

    private static void writeVcpu(DataOutputStream out, VcpuState v) throws IOException {
        out.writeInt(v.id());
        out.writeInt(v.cpuid().size());
        for (CpuidEntry e : v.cpuid()) {
            for (int word : new int[] {e.function(), e.index(), e.flags(), e.eax(), e.ebx(), e.ecx(), e.edx()}) out.writeInt(word);
        }
        out.writeInt(v.mpState());
        blob(out, v.regs().toBytes());
        blob(out, v.sregs().toBytes());
        blob(out, v.fpu().raw());
        blob(out, v.xsave());
        blob(out, v.xcrs());
        blob(out, v.debugRegs());
        blob(out, v.lapic());
        out.writeInt(v.msrs().size());
        for (Msr msr : v.msrs()) {
            out.writeInt(msr.index());
            out.writeLong(msr.value());
        }
        blob(out, v.events());
    }

    private static VcpuState readVcpu(DataInputStream in) throws IOException {
        int id = in.readInt();
        int entries = count(in);
        List<CpuidEntry> cpuid = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            cpuid.add(new CpuidEntry(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt()));
        }
        int mpState = in.readInt();
        Regs regs = Regs.fromBytes(required(blob(in, -1), "kvm_regs"));
        Sregs sregs = Sregs.fromBytes(required(blob(in, -1), "kvm_sregs"));
        Fpu fpu = new Fpu(required(blob(in, -1), "kvm_fpu"));
        byte[] xsave = blob(in, -1);
        if (xsave != null && (xsave.length < VcpuState.XSAVE_SIZE || xsave.length % 4 != 0)) {
            throw new IOException("kvm_xsave of " + xsave.length + " bytes");
        }
        byte[] xcrs = blob(in, VcpuState.XCRS_SIZE), debugRegs = blob(in, VcpuState.DEBUGREGS_SIZE), lapic = blob(in, VcpuState.LAPIC_SIZE);
        int count = count(in);
        List<Msr> msrs = new ArrayList<>();
        for (int i = 0; i < count; i++) msrs.add(new Msr(in.readInt(), in.readLong()));
        return new VcpuState(id, cpuid, mpState, regs, sregs, fpu, xsave, xcrs, debugRegs, lapic, msrs, blob(in, VcpuState.EVENTS_SIZE));
    }

    private static void blob(DataOutputStream out, byte[] bytes) throws IOException {
        if (bytes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    /** A length-prefixed structure, null when absent; {@code size} is its fixed size, or -1 when it varies. */
    private static byte[] blob(DataInputStream in, int size) throws IOException {
        int length = in.readInt();
        if (length == -1) return null;
        if (length < 0 || length > in.available()) throw new EOFException();
        if (size >= 0 && length != size) throw new IOException("a structure of " + length + " bytes where " + size + " belong");
        return in.readNBytes(length);
    }

    private static byte[] required(byte[] blob, String what) throws IOException {
        if (blob == null) throw new IOException(what + " is missing");
        return blob;
    }

    private static int count(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > in.available()) throw new EOFException();
        return count;
    }
}
