package dev.vireo.oci;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An image reference normalized the way Docker does it ({@code distribution/reference}):
 * {@code busybox} is {@code docker.io/library/busybox:latest}. The first path component is a
 * registry domain when it contains a dot or a colon or is {@code localhost}. A reference by
 * digest has no tag unless one was written.
 */
public record ImageRef(String domain, String path, String tag, Digest digest) {
    public static final String DEFAULT_DOMAIN = "docker.io";
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?"
                    + "|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern ID = Pattern.compile("[a-f0-9]{64}");

    public ImageRef {
        if (!DOMAIN.matcher(domain).matches()) throw new BadContentException("invalid registry domain '" + domain + "'");
        if (path.length() > 255) throw new BadContentException("repository name longer than 255 characters");
        for (String component : path.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new BadContentException(component.chars().anyMatch(Character::isUpperCase)
                        ? "invalid reference '" + path + "': repository name must be lowercase"
                        : "invalid repository name '" + path + "'");
            }
        }
        if (tag != null && !TAG.matcher(tag).matches()) throw new BadContentException("invalid tag '" + tag + "'");
    }

    /** Parses and normalizes a reference; without a tag or digest the tag is {@code latest}. */
    public static ImageRef parse(String text) {
        if (text == null || text.isEmpty()) throw new BadContentException("empty image reference");
        if (ID.matcher(text).matches()) {
            throw new BadContentException("invalid reference '" + text + "': a 64-hex name is an image ID, not a repository");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Digest.parse(rest.substring(at + 1));
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        if (rest.isEmpty()) throw new BadContentException("invalid reference '" + text + "': no repository name");
        String repoPart = rest.contains("/") ? rest.substring(rest.indexOf('/') + 1) : rest;
        if (repoPart.chars().anyMatch(Character::isUpperCase)) {
            throw new BadContentException("invalid reference '" + text + "': repository name must be lowercase");
        }
        String domain = DEFAULT_DOMAIN;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
                domain = first.equals("index.docker.io") ? DEFAULT_DOMAIN : first;
                path = rest.substring(slash + 1);
            }
        }
        if (domain.equals(DEFAULT_DOMAIN) && !path.contains("/")) path = "library/" + path;
        if (tag == null && digest == null) tag = DEFAULT_TAG;
        return new ImageRef(domain, path, tag, digest);
    }

    /** What a manifest request names: the digest when there is one, else the tag. */
    public String reference() {
        return digest != null ? digest.toString() : tag;
    }

    /** {@code docker.io/library/busybox}: the repository without tag or digest. */
    public String repository() {
        return domain + "/" + path;
    }

    /** The short form Docker shows: {@code busybox} for {@code docker.io/library/busybox}. */
    public String familiarRepository() {
        if (!domain.equals(DEFAULT_DOMAIN)) return repository();
        return path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path;
    }

    /** {@code busybox:latest}, the familiar form with tag and digest. */
    public String familiar() {
        return familiarRepository() + suffix();
    }

    public ImageRef withTag(String newTag) {
        return new ImageRef(domain, path, newTag, null);
    }

    private String suffix() {
        return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    // equals and hashCode by hand: a record's generated ones are bootstrapped through
    // invokedynamic at their first call, which the AOT cache does not keep (11 ms of vireo run).
    @Override
    public boolean equals(Object o) {
        return o instanceof ImageRef r && domain.equals(r.domain) && path.equals(r.path) && Objects.equals(tag, r.tag)
                && Objects.equals(digest, r.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(domain, path, tag, digest);
    }

    /** The fully qualified form, {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        return repository() + suffix();
    }
}
