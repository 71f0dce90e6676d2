package dev.vireo.runtime.spec;

import dev.vireo.runtime.ConfigException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A mount's {@code options}, split as mount(2) needs them: flags to set, flags the options
 * clear ({@code rw}, {@code suid}...), a propagation change, and the rest as file-system data.
 */
public record MountOptions(long flags, long cleared, long propagation, String data) {
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
            MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024,
            MS_NODIRATIME = 2048, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768,
            MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20,
            MS_RELATIME = 1 << 21, MS_I_VERSION = 1 << 23, MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25;

    /** Options that set a flag. */
    private static final Map<String, Long> SET = Map.ofEntries(Map.entry("bind", MS_BIND),
            Map.entry("rbind", MS_BIND | MS_REC), Map.entry("dirsync", MS_DIRSYNC), Map.entry("iversion", MS_I_VERSION),
            Map.entry("lazytime", MS_LAZYTIME), Map.entry("mand", MS_MANDLOCK), Map.entry("noatime", MS_NOATIME),
            Map.entry("nodev", MS_NODEV), Map.entry("nodiratime", MS_NODIRATIME), Map.entry("noexec", MS_NOEXEC),
            Map.entry("nosuid", MS_NOSUID), Map.entry("nosymfollow", MS_NOSYMFOLLOW), Map.entry("relatime", MS_RELATIME),
            Map.entry("remount", MS_REMOUNT), Map.entry("ro", MS_RDONLY), Map.entry("silent", MS_SILENT),
            Map.entry("strictatime", MS_STRICTATIME), Map.entry("sync", MS_SYNCHRONOUS), Map.entry("defaults", 0L));
    /** Options that clear one. */
    private static final Map<String, Long> CLEAR = Map.ofEntries(Map.entry("async", MS_SYNCHRONOUS),
            Map.entry("atime", MS_NOATIME), Map.entry("dev", MS_NODEV), Map.entry("diratime", MS_NODIRATIME),
            Map.entry("exec", MS_NOEXEC), Map.entry("noiversion", MS_I_VERSION), Map.entry("nolazytime", MS_LAZYTIME),
            Map.entry("loud", MS_SILENT), Map.entry("nomand", MS_MANDLOCK), Map.entry("norelatime", MS_RELATIME),
            Map.entry("nostrictatime", MS_STRICTATIME), Map.entry("suid", MS_NOSUID), Map.entry("symfollow", MS_NOSYMFOLLOW),
            Map.entry("rw", MS_RDONLY));
    public static final Map<String, Long> PROPAGATION = Map.of("private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC,
            "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC, "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC,
            "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE | MS_REC);

    /** The option strings the {@code features} verb lists as understood. */
    public static List<String> known() {
        List<String> all = new ArrayList<>(SET.keySet());
        all.addAll(CLEAR.keySet());
        all.addAll(PROPAGATION.keySet());
        all.sort(null);
        return all;
    }

    public boolean bind() {
        return (flags & MS_BIND) != 0;
    }

    public static MountOptions parse(List<String> options, String field) {
        long flags = 0, cleared = 0, propagation = 0;
        List<String> data = new ArrayList<>();
        if (options != null) {
            for (String o : options) {
                if (o == null) throw new ConfigException(field, "an option is null");
                Long f;
                if ((f = SET.get(o)) != null) {
                    flags |= f;
                    cleared &= ~f;
                } else if ((f = CLEAR.get(o)) != null) {
                    flags &= ~f;
                    cleared |= f;
                } else if ((f = PROPAGATION.get(o)) != null) {
                    propagation = f;
                } else if (o.equals("idmap") || o.equals("ridmap")) {
                    throw new ConfigException(field, "idmapped mounts (" + o + ") are not supported by this runtime");
                } else if (o.equals("tmpcopyup") || (o.length() > 2 && o.startsWith("r") && (SET.containsKey(o.substring(1))
                        || CLEAR.containsKey(o.substring(1))) && !o.equals("relatime"))) {
                    throw new ConfigException(field, "option " + o + " is not supported by this runtime");
                } else {
                    data.add(o);
                }
            }
        }
        return new MountOptions(flags, cleared, propagation, String.join(",", data));
    }
}
