package dev.vireo.runtime.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A classic-BPF assembler for seccomp programs: instructions with symbolic forward jumps.
 * Conditional jumps reach only 255 instructions, so one whose target lies further is rewritten
 * to jump over an unconditional {@code ja} (32-bit offset) to it; layout repeats until stable.
 */
final class Bpf {
    static final int LD_W_ABS = 0x20, ALU_AND_K = 0x54, RET_K = 0x06, JA = 0x05;
    static final int JEQ = 0x15, JGT = 0x25, JGE = 0x35;
    /** The size of one instruction in a sock_fprog: u16 code, u8 jt, u8 jf, u32 k. */
    static final int INSTRUCTION_BYTES = 8;

    /** A position in the program, bound once. */
    static final class Label {}

    private sealed interface Node permits Plain, Jump, Cond, Bind {}

    private record Plain(int code, int k) implements Node {}

    private record Jump(Label target) implements Node {}

    /** A conditional jump; a null target falls through to the next instruction. */
    private record Cond(int code, int k, Label ifTrue, Label ifFalse) implements Node {}

    private record Bind(Label label) implements Node {}

    /** An assembled instruction. */
    record Instruction(int code, int jt, int jf, int k) {}

    private final List<Node> nodes = new ArrayList<>();

    void load(int offset) {
        nodes.add(new Plain(LD_W_ABS, offset));
    }

    void and(int mask) {
        nodes.add(new Plain(ALU_AND_K, mask));
    }

    void ret(int value) {
        nodes.add(new Plain(RET_K, value));
    }

    void jump(Label target) {
        nodes.add(new Jump(target));
    }

    void jumpIf(int code, int k, Label ifTrue, Label ifFalse) {
        nodes.add(new Cond(code, k, ifTrue, ifFalse));
    }

    void bind(Label label) {
        nodes.add(new Bind(label));
    }

    List<Instruction> assemble() {
        Map<Cond, int[]> far = new IdentityHashMap<>(); // [trueFar, falseFar] as 0/1
        for (Node n : nodes) if (n instanceof Cond c) far.put(c, new int[2]);
        while (true) {
            Map<Label, Integer> at = layout(far);
            boolean changed = false;
            int pc = 0;
            for (Node n : nodes) {
                if (n instanceof Cond c) {
                    int[] f = far.get(c);
                    if (f[0] == 0 && c.ifTrue() != null && at.get(c.ifTrue()) - (pc + 1) > 255) {
                        f[0] = 1;
                        changed = true;
                    }
                    if (f[1] == 0 && c.ifFalse() != null && at.get(c.ifFalse()) - (pc + 1) > 255) {
                        f[1] = 1;
                        changed = true;
                    }
                }
                pc += size(n, far);
            }
            if (!changed) return emit(at, far);
        }
    }

    private static int size(Node n, Map<Cond, int[]> far) {
        return switch (n) {
            case Plain _, Jump _ -> 1;
            case Cond c -> 1 + far.get(c)[0] + far.get(c)[1];
            case Bind _ -> 0;
        };
    }

    private Map<Label, Integer> layout(Map<Cond, int[]> far) {
        Map<Label, Integer> at = new IdentityHashMap<>();
        int pc = 0;
        for (Node n : nodes) {
            if (n instanceof Bind b && at.put(b.label(), pc) != null) throw new IllegalStateException("label bound twice");
            pc += size(n, far);
        }
        return at;
    }

    private List<Instruction> emit(Map<Label, Integer> at, Map<Cond, int[]> far) {
        List<Instruction> out = new ArrayList<>();
        for (Node n : nodes) {
            int pc = out.size();
            switch (n) {
                case Plain p -> out.add(new Instruction(p.code(), 0, 0, p.k()));
                case Jump j -> out.add(new Instruction(JA, 0, 0, offset(at, j.target(), pc + 1)));
                case Cond c -> {
                    int[] f = far.get(c);
                    int end = pc + 1 + f[0] + f[1];
                    // Far targets go through the ja instructions placed right after the jump.
                    int jt = f[0] == 1 ? 0 : c.ifTrue() == null ? end - pc - 1 : offset(at, c.ifTrue(), pc + 1);
                    int jf = f[1] == 1 ? f[0] : c.ifFalse() == null ? end - pc - 1 : offset(at, c.ifFalse(), pc + 1);
                    out.add(new Instruction(c.code(), jt, jf, c.k()));
                    if (f[0] == 1) out.add(new Instruction(JA, 0, 0, offset(at, c.ifTrue(), pc + 2)));
                    if (f[1] == 1) out.add(new Instruction(JA, 0, 0, offset(at, c.ifFalse(), pc + 2 + f[0])));
                }
                case Bind _ -> {}
            }
        }
        return out;
    }

    private static int offset(Map<Label, Integer> at, Label target, int from) {
        Integer to = at.get(target);
        if (to == null) throw new IllegalStateException("jump to a label that is never bound");
        if (to < from) throw new IllegalStateException("BPF jumps only forward");
        return to - from;
    }

    /** The program as the kernel reads it (struct sock_filter[], host byte order). */
    static byte[] encode(List<Instruction> program) {
        ByteBuffer b = ByteBuffer.allocate(program.size() * INSTRUCTION_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Instruction i : program) {
            b.putShort((short) i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
        }
        return b.array();
    }
}
