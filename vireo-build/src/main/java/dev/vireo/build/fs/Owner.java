package dev.vireo.build.fs;

/** A numeric owner: what files get and what a process runs as. */
public record Owner(int uid, int gid) {
    public static final Owner ROOT = new Owner(0, 0);

    @Override
    public String toString() {
        return uid + ":" + gid;
    }
}
