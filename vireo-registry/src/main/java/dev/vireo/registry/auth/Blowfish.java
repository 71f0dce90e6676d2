package dev.vireo.registry.auth;

import java.math.BigInteger;

/**
 * Blowfish's initial P-array and S-boxes. They are the hexadecimal digits of pi's
 * fraction (Schneier 1993), so they are computed here, once, by Machin's formula
 * pi = 16 atan(1/5) - 4 atan(1/239) in fixed point, rather than pasted as 1042 constants.
 */
final class Blowfish {
    static final int WORDS = 18 + 4 * 256;
    private static final int[] PI_WORDS = piFractionWords(WORDS);

    private Blowfish() {}

    /** A copy of the first {@code WORDS} 32-bit words of pi's fraction: P[0..17] then S0..S3. */
    static int[] initialState() {
        return PI_WORDS.clone();
    }

    private static int[] piFractionWords(int count) {
        int bits = count * 32 + 64; // guard bits absorb the truncation error of the series
        BigInteger pi = arctanInverse(5, bits).shiftLeft(4).subtract(arctanInverse(239, bits).shiftLeft(2));
        BigInteger fraction = pi.subtract(BigInteger.valueOf(3).shiftLeft(bits));
        int[] words = new int[count];
        for (int i = 0; i < count; i++) {
            words[i] = fraction.shiftRight(bits - 32 * (i + 1)).intValue();
        }
        return words;
    }

    /** atan(1/x) scaled by 2^bits: the alternating series sum (-1)^k / ((2k+1) x^(2k+1)). */
    private static BigInteger arctanInverse(int x, int bits) {
        BigInteger power = BigInteger.ONE.shiftLeft(bits).divide(BigInteger.valueOf(x));
        BigInteger xSquared = BigInteger.valueOf((long) x * x);
        BigInteger sum = power;
        boolean subtract = true;
        for (long k = 3; power.signum() != 0; k += 2) {
            power = power.divide(xSquared);
            BigInteger term = power.divide(BigInteger.valueOf(k));
            sum = subtract ? sum.subtract(term) : sum.add(term);
            subtract = !subtract;
        }
        return sum;
    }
}
