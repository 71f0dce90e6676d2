package dev.vireo.registry.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Users from an htpasswd file ({@code user:$2y$...} lines, as {@code htpasswd -B} writes),
 * checked with HTTP Basic credentials. bcrypt is slow on purpose, so a verified pair is
 * remembered (by a SHA-256 of user and password, never the password itself) and later
 * requests of the same client cost a hash lookup.
 */
public final class Htpasswd {
    private final Map<String, String> hashes;
    private final Set<String> verified = ConcurrentHashMap.newKeySet();

    private Htpasswd(Map<String, String> hashes) {
        this.hashes = hashes;
    }

    public static Htpasswd load(Path file) throws IOException {
        Map<String, String> hashes = new HashMap<>();
        int number = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
            int colon = trimmed.indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException(file + ":" + number + ": expected user:hash");
            String hash = trimmed.substring(colon + 1);
            if (!hash.startsWith("$2")) {
                throw new IllegalArgumentException(file + ":" + number + ": only bcrypt hashes are supported (htpasswd -B)");
            }
            hashes.put(trimmed.substring(0, colon), hash);
        }
        return new Htpasswd(hashes);
    }

    /** The user an {@code Authorization} field authenticates, if its Basic credentials are right. */
    public Optional<String> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) return Optional.empty();
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) return Optional.empty();
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        String hash = hashes.get(user);
        if (hash == null) return Optional.empty();
        String key = fingerprint(user, password, hash);
        if (verified.contains(key)) return Optional.of(user);
        if (!Bcrypt.verify(password, hash)) return Optional.empty();
        verified.add(key);
        return Optional.of(user);
    }

    private static String fingerprint(String user, String password, String hash) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((user + "\0" + password + "\0" + hash).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
