package dev.vireo.image.overlay;

import dev.vireo.sys.Mounts;
import dev.vireo.sys.SysException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Mounts overlayfs: lower directories (top first), an upper and a work directory. The lowers are
 * given as short paths (the store's {@code l/} links) so that, as with Docker's overlay2, over a
 * hundred layers fit in the one page mount(2) accepts. A stack whose options still do not fit
 * is mounted through a file-system context, adding one {@code lowerdir+} at a time (Linux 6.8+),
 * which has no total limit. Features that would make an upper directory unreadable as a plain
 * layer diff (redirected directories, metadata-only copy-up, the inode index) are turned off.
 */
public final class OverlayMount {
    /** What overlayfs itself allows (OVL_MAX_STACK). */
    public static final int MAX_LAYERS = 500;
    private static final String FEATURES = "index=off,redirect_dir=off,metacopy=off";

    private OverlayMount() {}

    /** The mount(2) data for a stack, with ':' ',' and '\' in paths escaped as overlayfs reads them. */
    static String options(List<Path> lowers, Path upper, Path work) {
        StringBuilder data = new StringBuilder("lowerdir=");
        for (int i = 0; i < lowers.size(); i++) {
            if (i > 0) data.append(':');
            data.append(escape(lowers.get(i)));
        }
        if (upper != null) data.append(",upperdir=").append(escape(upper)).append(",workdir=").append(escape(work));
        return data.append(',').append(FEATURES).toString();
    }

    public static void mount(List<Path> lowers, Path upper, Path work, Path target) {
        if (lowers.isEmpty()) throw new IllegalArgumentException("an overlay needs at least one lower directory");
        if (lowers.size() > MAX_LAYERS) {
            throw new IllegalArgumentException(lowers.size() + " layers: overlayfs stacks at most " + MAX_LAYERS);
        }
        if (upper == null && lowers.size() < 2) {
            throw new IllegalArgumentException("a read-only overlay needs at least two lower directories");
        }
        String data = options(lowers, upper, work);
        if (data.length() <= Mounts.MAX_DATA) {
            Mounts.mount("overlay", target.toString(), "overlay", 0, data);
            return;
        }
        List<Map.Entry<String, String>> options = new ArrayList<>();
        options.add(Map.entry("source", "overlay"));
        for (Path lower : lowers) options.add(Map.entry("lowerdir+", lower.toString()));
        if (upper != null) {
            options.add(Map.entry("upperdir", upper.toString()));
            options.add(Map.entry("workdir", work.toString()));
        }
        for (String feature : FEATURES.split(",")) {
            String[] kv = feature.split("=");
            options.add(Map.entry(kv[0], kv[1]));
        }
        try {
            Mounts.mountWithContext("overlay", target.toString(), options);
        } catch (SysException e) {
            throw new SysException("overlay of " + lowers.size() + " layers (" + data.length()
                    + " bytes of options, more than mount(2) takes; lowerdir+ needs Linux 6.8): " + e.call(), e.errno());
        }
    }

    /** Detaches the mount; a target that is not mounted is not an error. */
    public static void unmount(Path target) {
        try {
            Mounts.umount(target.toString(), Mounts.MNT_DETACH | Mounts.UMOUNT_NOFOLLOW);
        } catch (SysException e) {
            if (!e.is(dev.vireo.sys.Errno.EINVAL) && !e.is(dev.vireo.sys.Errno.ENOENT)) throw e;
        }
    }

    private static String escape(Path path) {
        return path.toString().replace("\\", "\\\\").replace(":", "\\:").replace(",", "\\,");
    }
}
