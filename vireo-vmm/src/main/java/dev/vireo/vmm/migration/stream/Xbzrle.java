package dev.vireo.vmm.migration.stream;

import java.util.Arrays;

/**
 * XBZRLE-style deltas, as QEMU sends pages that were sent before: the new page as runs of
 * {@code (bytes equal to the old copy, bytes that differ, those bytes)}, the run lengths as
 * unsigned LEB128. A page that did not change at all is an empty delta.
 */
final class Xbzrle {
    /** A literal run ends at this many equal bytes; shorter equal stretches stay inside it. */
    private static final int MIN_EQUAL_RUN = 4;

    private Xbzrle() {}

    /** Encodes {@code current} against {@code old} into {@code out}; returns its length, or -1 if it does not fit. */
    static int encode(byte[] old, byte[] current, byte[] out) {
        int n = current.length;
        int i = 0, o = 0;
        while (i < n) {
            int m = Arrays.mismatch(old, i, n, current, i, n);
            if (m < 0) break;
            int start = i + m;
            int j = start;
            while (j < n) {
                if (old[j] != current[j]) {
                    j++;
                    continue;
                }
                int k = j;
                while (k < n && k - j < MIN_EQUAL_RUN && old[k] == current[k]) k++;
                if (k - j >= MIN_EQUAL_RUN || k == n) break;
                j = k;
            }
            int literal = j - start;
            if (o + 10 + literal > out.length) return -1;
            o = varint(out, o, m);
            o = varint(out, o, literal);
            System.arraycopy(current, start, out, o, literal);
            o += literal;
            i = j;
        }
        return o;
    }

    /** Applies {@code delta} to {@code page} (the previous copy) in place. */
    static void decode(byte[] delta, byte[] page) throws StreamException {
        int[] pos = {0};
        int p = 0;
        while (pos[0] < delta.length) {
            int equal = readVarint(delta, pos);
            int literal = readVarint(delta, pos);
            if (equal > page.length - p || literal > page.length - p - equal || literal > delta.length - pos[0]) {
                throw new StreamException("an XBZRLE delta runs past its page");
            }
            p += equal;
            System.arraycopy(delta, pos[0], page, p, literal);
            p += literal;
            pos[0] += literal;
        }
    }

    private static int varint(byte[] out, int o, int value) {
        while ((value & ~0x7f) != 0) {
            out[o++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out[o++] = (byte) value;
        return o;
    }

    private static int readVarint(byte[] in, int[] pos) throws StreamException {
        int value = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            if (pos[0] >= in.length) throw new StreamException("an XBZRLE delta ends inside a run length");
            int b = in[pos[0]++];
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new StreamException("an XBZRLE run length is too long");
    }
}
