package dev.vireo.registry;

/**
 * {@code [REGISTRY/]REPOSITORY[:TAG][@DIGEST]} as Docker reads it: the first component is the
 * registry when it has a dot or a colon or is {@code localhost}; otherwise the registry is
 * {@code docker.io} (and a one-component name is under {@code library/}). No tag and no
 * digest means {@code latest}.
 */
public record RemoteReference(String registry, String repository, String tag, Digest digest) {
    public static final String DEFAULT_REGISTRY = "docker.io";

    public RemoteReference {
        if (!Names.validRepository(repository)) throw new IllegalArgumentException("invalid repository name '" + repository + "'");
        if (tag != null && !Names.validTag(tag)) throw new IllegalArgumentException("invalid tag '" + tag + "'");
    }

    public static RemoteReference parse(String text) {
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
        String registry = DEFAULT_REGISTRY;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        if (registry.equals(DEFAULT_REGISTRY) && !rest.contains("/")) rest = "library/" + rest;
        if (tag == null && digest == null) tag = "latest";
        return new RemoteReference(registry, rest, tag, digest);
    }

    /** The tag, or the digest when there is no tag: what a manifest request names. */
    public String reference() {
        return digest != null ? digest.toString() : tag;
    }

    /** Whether the registry is on this machine, where Docker allows plain HTTP too. */
    public boolean loopback() {
        String host = registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1) : registry.split(":")[0];
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
