package dev.vireo.registry.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * bcrypt (Provos and Mazières 1999) as htpasswd -B and the reference registry use it:
 * {@code $2y$COST$} + 22 characters of salt + 31 of hash, in bcrypt's own base64. The
 * password (plus a NUL, at most 72 bytes) keys an expensive Blowfish setup repeated 2^COST
 * times, which then encrypts "OrpheanBeholderScryDoubt" 64 times.
 */
public final class Bcrypt {
    private static final String ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final byte[] MAGIC = "OrpheanBeholderScryDoubt".getBytes(StandardCharsets.US_ASCII);
    private static final int[] DECODE = new int[128];

    static {
        Arrays.fill(DECODE, -1);
        for (int i = 0; i < ALPHABET.length(); i++) DECODE[ALPHABET.charAt(i)] = i;
    }

    private final int[] p = new int[18];
    private final int[] s = new int[1024];

    private Bcrypt() {
        int[] state = Blowfish.initialState();
        System.arraycopy(state, 0, p, 0, 18);
        System.arraycopy(state, 18, s, 0, 1024);
    }

    /** A new hash of {@code password} with a random salt, in the {@code $2y$} format htpasswd writes. */
    public static String hash(String password, int cost) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return hash(password, cost, salt, "2y");
    }

    static String hash(String password, int cost, byte[] salt, String version) {
        if (cost < 4 || cost > 31) throw new IllegalArgumentException("bcrypt cost must be 4..31");
        byte[] key = key(password);
        byte[] raw = new Bcrypt().crypt(key, salt, cost);
        return "$" + version + "$" + (cost < 10 ? "0" : "") + cost + "$" + encode(salt, 16) + encode(raw, 23);
    }

    /** Whether {@code password} matches a {@code $2a$}, {@code $2b$} or {@code $2y$} hash; malformed hashes never match. */
    public static boolean verify(String password, String hash) {
        if (hash.length() != 60 || hash.charAt(0) != '$' || hash.charAt(3) != '$' || hash.charAt(6) != '$') return false;
        String version = hash.substring(1, 3);
        if (!version.equals("2a") && !version.equals("2b") && !version.equals("2y")) return false;
        int cost;
        try {
            cost = Integer.parseInt(hash.substring(4, 6));
        } catch (NumberFormatException e) {
            return false;
        }
        byte[] salt = decode(hash.substring(7, 29), 16);
        if (salt == null || cost < 4 || cost > 31) return false;
        String computed = hash(password, cost, salt, version);
        return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII), hash.getBytes(StandardCharsets.US_ASCII));
    }

    /** The password's UTF-8 bytes and a terminating NUL, cut at 72 bytes as every bcrypt does. */
    private static byte[] key(String password) {
        byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
        byte[] key = Arrays.copyOf(utf8, Math.min(utf8.length + 1, 72));
        return key;
    }

    private byte[] crypt(byte[] key, byte[] salt, int cost) {
        expensiveKeySetup(key, salt, cost);
        int[] text = new int[6];
        int[] offset = {0};
        for (int i = 0; i < 6; i++) text[i] = streamToWord(MAGIC, offset);
        for (int round = 0; round < 64; round++) {
            for (int i = 0; i < 6; i += 2) encipher(text, i);
        }
        byte[] out = new byte[24];
        for (int i = 0; i < 6; i++) {
            out[4 * i] = (byte) (text[i] >>> 24);
            out[4 * i + 1] = (byte) (text[i] >>> 16);
            out[4 * i + 2] = (byte) (text[i] >>> 8);
            out[4 * i + 3] = (byte) text[i];
        }
        return out;
    }

    private void expensiveKeySetup(byte[] key, byte[] salt, int cost) {
        expandKey(key, salt);
        long rounds = 1L << cost;
        for (long i = 0; i < rounds; i++) {
            expandKey(key, null);
            expandKey(salt, null);
        }
    }

    /** Blowfish's key schedule; with a salt, the salt is mixed into each block before it is encrypted. */
    private void expandKey(byte[] key, byte[] salt) {
        int[] keyOffset = {0};
        for (int i = 0; i < 18; i++) p[i] ^= streamToWord(key, keyOffset);
        int[] block = {0, 0};
        int[] saltOffset = {0};
        for (int i = 0; i < 18; i += 2) {
            if (salt != null) {
                block[0] ^= streamToWord(salt, saltOffset);
                block[1] ^= streamToWord(salt, saltOffset);
            }
            encipher(block, 0);
            p[i] = block[0];
            p[i + 1] = block[1];
        }
        for (int i = 0; i < 1024; i += 2) {
            if (salt != null) {
                block[0] ^= streamToWord(salt, saltOffset);
                block[1] ^= streamToWord(salt, saltOffset);
            }
            encipher(block, 0);
            s[i] = block[0];
            s[i + 1] = block[1];
        }
    }

    private void encipher(int[] block, int at) {
        int left = block[at];
        int right = block[at + 1];
        left ^= p[0];
        for (int i = 1; i <= 16; i += 2) {
            right ^= f(left) ^ p[i];
            left ^= f(right) ^ p[i + 1];
        }
        block[at] = right ^ p[17];
        block[at + 1] = left;
    }

    private int f(int x) {
        return ((s[x >>> 24] + s[0x100 | (x >>> 16) & 0xff]) ^ s[0x200 | (x >>> 8) & 0xff]) + s[0x300 | x & 0xff];
    }

    /** The next four bytes of {@code data} as a big-endian word, wrapping around at its end. */
    private static int streamToWord(byte[] data, int[] offset) {
        int word = 0;
        for (int i = 0; i < 4; i++) {
            word = word << 8 | data[offset[0]] & 0xff;
            offset[0] = (offset[0] + 1) % data.length;
        }
        return word;
    }

    private static String encode(byte[] data, int length) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < length) {
            int c1 = data[i++] & 0xff;
            out.append(ALPHABET.charAt(c1 >> 2));
            c1 = (c1 & 0x03) << 4;
            if (i >= length) {
                out.append(ALPHABET.charAt(c1));
                break;
            }
            int c2 = data[i++] & 0xff;
            c1 |= c2 >> 4;
            out.append(ALPHABET.charAt(c1));
            c1 = (c2 & 0x0f) << 2;
            if (i >= length) {
                out.append(ALPHABET.charAt(c1));
                break;
            }
            c2 = data[i++] & 0xff;
            c1 |= c2 >> 6;
            out.append(ALPHABET.charAt(c1));
            out.append(ALPHABET.charAt(c2 & 0x3f));
        }
        return out.toString();
    }

    private static byte[] decode(String text, int length) {
        byte[] out = new byte[length];
        int o = 0;
        int i = 0;
        while (o < length && i + 1 < text.length()) {
            int c1 = value(text.charAt(i++));
            int c2 = value(text.charAt(i++));
            if (c1 < 0 || c2 < 0) return null;
            out[o++] = (byte) (c1 << 2 | (c2 & 0x30) >> 4);
            if (o >= length || i >= text.length()) break;
            int c3 = value(text.charAt(i++));
            if (c3 < 0) return null;
            out[o++] = (byte) ((c2 & 0x0f) << 4 | (c3 & 0x3c) >> 2);
            if (o >= length || i >= text.length()) break;
            int c4 = value(text.charAt(i++));
            if (c4 < 0) return null;
            out[o++] = (byte) ((c3 & 0x03) << 6 | c4);
        }
        return o == length ? out : null;
    }

    private static int value(char c) {
        return c < 128 ? DECODE[c] : -1;
    }
}
