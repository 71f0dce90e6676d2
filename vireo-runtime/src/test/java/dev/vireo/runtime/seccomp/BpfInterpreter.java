package dev.vireo.runtime.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Runs a classic-BPF seccomp program on one seccomp_data, as the kernel would. */
final class BpfInterpreter {
    static final int RET_ACTION_FULL = 0xffff0000;

    private BpfInterpreter() {}

    /** The program's verdict for call {@code nr} on {@code arch} with {@code args}. */
    static int run(byte[] program, int arch, int nr, long... args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(8, 0);
        for (int i = 0; i < args.length; i++) data.putLong(16 + 8 * i, args[i]);
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        int n = program.length / 8, a = 0;
        for (int pc = 0; pc < n; pc++) {
            int op = code.getShort(pc * 8) & 0xffff, jt = code.get(pc * 8 + 2) & 0xff, jf = code.get(pc * 8 + 3) & 0xff,
                    k = code.getInt(pc * 8 + 4);
            switch (op) {
                case Bpf.LD_W_ABS -> a = data.getInt(k);
                case Bpf.ALU_AND_K -> a &= k;
                case Bpf.RET_K -> {
                    return k;
                }
                case Bpf.JA -> pc += k;
                case Bpf.JEQ -> pc += a == k ? jt : jf;
                case Bpf.JGT -> pc += Integer.compareUnsigned(a, k) > 0 ? jt : jf;
                case Bpf.JGE -> pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf;
                default -> throw new IllegalStateException("unknown opcode " + op + " at " + pc);
            }
        }
        throw new IllegalStateException("the program ran off its end");
    }
}
