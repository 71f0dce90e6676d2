package dev.vireo.oci;

import dev.vireo.json.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI image spec writes it, {@code algorithm:encoded} (descriptor.md).
 * Only the registered, verifiable algorithms are accepted: sha256 (64 lowercase hex digits) and
 * sha512 (128); anything else is a {@link BadContentException}. In JSON it is that string.
 */
public record Digest(String algorithm, String encoded) implements Comparable<Digest>, Json.Text {
    private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*");
    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");

    public Digest {
        if (!ALGORITHM.matcher(algorithm).matches()) throw new BadContentException("invalid digest algorithm '" + algorithm + "'");
        int length = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new BadContentException("unsupported digest algorithm '" + algorithm + "'");
        };
        if (encoded.length() != length || !HEX.matcher(encoded).matches()) {
            throw new BadContentException("invalid " + algorithm + " digest '" + encoded + "'");
        }
    }

    /** Parses {@code sha256:<64 hex>}. */
    public static Digest parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0) throw new BadContentException("invalid digest '" + text + "' (expected sha256:<hex>)");
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    public static Digest sha256(byte[] content) {
        return ofSha256(newSha256().digest(content));
    }

    /** The digest of bytes hashed elsewhere by a {@link #newSha256()} instance. */
    public static Digest ofSha256(byte[] hash) {
        return of("sha256", hash);
    }

    public static Digest of(String algorithm, byte[] hash) {
        return new Digest(algorithm, HexFormat.of().formatHex(hash));
    }

    public static MessageDigest newSha256() {
        return newHasher("sha256");
    }

    /** A fresh hasher for an algorithm this class accepts. */
    public static MessageDigest newHasher(String algorithm) {
        try {
            return MessageDigest.getInstance(switch (algorithm) {
                case "sha256" -> "SHA-256";
                case "sha512" -> "SHA-512";
                default -> throw new BadContentException("unsupported digest algorithm '" + algorithm + "'");
            });
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e);
        }
    }

    /** A hasher for this digest's algorithm, to verify content against it. */
    public MessageDigest newHasher() {
        return newHasher(algorithm);
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

    /** The first 12 hex digits, as {@code docker images} shows an image ID. */
    public String shortId() {
        return encoded.substring(0, 12);
    }

    // By hand, as ImageRef's: the generated ones are bootstrapped at their first call.
    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && algorithm.equals(d.algorithm) && encoded.equals(d.encoded);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + encoded.hashCode();
    }

    @Override
    public String toString() {
        return algorithm + ":" + encoded;
    }

    @Override
    public int compareTo(Digest other) {
        return toString().compareTo(other.toString());
    }
}
