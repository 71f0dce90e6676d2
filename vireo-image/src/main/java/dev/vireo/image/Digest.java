package dev.vireo.image;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI image spec writes it, {@code algorithm:encoded}. Only the
 * registered algorithms are accepted: sha256 (64 lowercase hex digits) and sha512 (128).
 */
public record Digest(String algorithm, String encoded) implements Comparable<Digest> {
    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");

    public Digest {
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
    @JsonCreator
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
        return new Digest("sha256", HexFormat.of().formatHex(hash));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** A hasher for this digest's algorithm, to verify content against it. */
    public MessageDigest newHasher() {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e);
        }
    }

    /** The first 12 hex digits, as {@code docker images} shows an image ID. */
    public String shortId() {
        return encoded.substring(0, 12);
    }

    @JsonValue
    @Override
    public String toString() {
        return algorithm + ":" + encoded;
    }

    @Override
    public int compareTo(Digest other) {
        return toString().compareTo(other.toString());
    }
}
