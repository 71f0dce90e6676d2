package dev.vireo.registry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code algorithm:encoded} (OCI image-spec descriptor.md): sha256 with 64
 * and sha512 with 128 lowercase hex digits are the registered, verifiable algorithms.
 */
public record Digest(String algorithm, String encoded) {
    private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*");
    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");

    public Digest {
        if (!ALGORITHM.matcher(algorithm).matches()) throw new InvalidDigestException("invalid digest algorithm '" + algorithm + "'");
        int length = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new InvalidDigestException("unsupported digest algorithm '" + algorithm + "'");
        };
        if (encoded.length() != length || !HEX.matcher(encoded).matches()) {
            throw new InvalidDigestException("invalid " + algorithm + " digest '" + encoded + "'");
        }
    }

    /** Parses {@code sha256:<hex>}; anything else is an {@link InvalidDigestException}. */
    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) throw new InvalidDigestException("invalid digest '" + text + "'");
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    public static Digest sha256(byte[] data) {
        return of("sha256", newHasher("sha256").digest(data));
    }

    public static Digest of(String algorithm, byte[] hash) {
        return new Digest(algorithm, HexFormat.of().formatHex(hash));
    }

    /** A fresh hasher for an algorithm this class accepts. */
    public static MessageDigest newHasher(String algorithm) {
        try {
            return MessageDigest.getInstance(switch (algorithm) {
                case "sha256" -> "SHA-256";
                case "sha512" -> "SHA-512";
                default -> throw new InvalidDigestException("unsupported digest algorithm '" + algorithm + "'");
            });
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Feeds the first {@code size} bytes of a file to {@code hasher}. */
    public static void hash(MessageDigest hasher, FileChannel file, long size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1024 * 1024);
        for (long position = 0; position < size; ) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), size - position));
            int n = file.read(buffer, position);
            if (n < 0) throw new IOException("file ended at " + position + " of " + size + " bytes");
            hasher.update(buffer.array(), 0, n);
            position += n;
        }
    }

    public MessageDigest newHasher() {
        return newHasher(algorithm);
    }

    @Override
    public String toString() {
        return algorithm + ":" + encoded;
    }

    /** A digest string that is malformed or of an algorithm that cannot be verified. */
    public static final class InvalidDigestException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InvalidDigestException(String message) {
            super(message);
        }
    }
}
