package dev.vireo.sys;

/**
 * Linux namespace kinds and the one question the JVM may ask about them itself: what kind of
 * namespace a file such as {@code /proc/PID/ns/net} names. Joining or creating mount and user
 * namespaces is forbidden to a multithreaded process, so that happens in the container helper.
 */
public final class Namespaces {
    public static final int CLONE_NEWTIME = 0x00000080, CLONE_NEWNS = 0x00020000, CLONE_NEWCGROUP = 0x02000000,
            CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000,
            CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    private static final IoctlRequest NS_GET_NSTYPE = IoctlRequest.io("NS_GET_NSTYPE", 0xb7, 0x3);

    private Namespaces() {}

    /**
     * The CLONE_NEW* flag of the namespace that {@code path} names (ioctl NS_GET_NSTYPE); a file
     * that is no namespace fails with ENOTTY.
     */
    public static int typeOf(String path) {
        try (Fd fd = FileIo.open(path, FileIo.O_RDONLY)) {
            return Ioctl.call(fd, NS_GET_NSTYPE);
        }
    }
}
