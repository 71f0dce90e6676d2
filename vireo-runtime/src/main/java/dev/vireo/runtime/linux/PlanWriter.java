package dev.vireo.runtime.linux;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the plan vireo-init carries out, in the format of {@code src/main/c/PLAN.md}: a header
 * (magic, version, body length) and records (tag, length, payload) of 64-bit little-endian
 * integers and strings (32-bit length, bytes, NUL). One method per record tag.
 */
final class PlanWriter {
    static final int MAGIC = 0x4e4c5056, VERSION = 1;
    static final int MODE_CREATE = 1, MODE_EXEC = 2;
    static final int KIND_DIR = 0, KIND_FILE = 1, KIND_EXISTING = 2;
    static final int HOOK_CREATE_CONTAINER = 1, HOOK_START_CONTAINER = 2;

    private enum Tag {
        UNUSED, MODE, NS_NEW, NS_JOIN, OOM_SCORE_ADJ, RLIMIT, ROOTFS, ROOTFS_PROPAGATION, ROOT_READONLY, NO_PIVOT,
        MOUNT, DEVICE, SYMLINK, MASKED, READONLY, SYSCTL, HOSTNAME, DOMAINNAME, CAPS, USER, NO_NEW_PRIVS, SECCOMP,
        CWD, ARGS, ENV, EXEC_FIFO, HOOK, TERMINAL, LOOPBACK, PRESERVE_FDS, RUNTIME_HOOKS, PERSONALITY, IOPRIO,
        SCHEDULER, AFFINITY, TIME_OFFSETS
    }

    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final ByteArrayOutputStream record = new ByteArrayOutputStream();

    private PlanWriter begin() {
        record.reset();
        return this;
    }

    private PlanWriter u64(long v) {
        record.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    private PlanWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        record.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        record.writeBytes(b);
        record.write(0);
        return this;
    }

    private PlanWriter strings(List<String> values) {
        u64(values.size());
        for (String v : values) str(v);
        return this;
    }

    private void end(Tag tag) {
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(tag.ordinal()).putInt(record.size());
        body.writeBytes(header.array());
        body.writeBytes(record.toByteArray());
    }

    PlanWriter mode(int mode) {
        begin().u64(mode).end(Tag.MODE);
        return this;
    }

    PlanWriter newNamespaces(long cloneFlags) {
        begin().u64(cloneFlags).end(Tag.NS_NEW);
        return this;
    }

    PlanWriter joinNamespace(long cloneFlag, String path) {
        begin().u64(cloneFlag).str(path).end(Tag.NS_JOIN);
        return this;
    }

    PlanWriter oomScoreAdj(int adj) {
        begin().u64(adj).end(Tag.OOM_SCORE_ADJ);
        return this;
    }

    PlanWriter rlimit(int resource, long soft, long hard) {
        begin().u64(resource).u64(soft).u64(hard).end(Tag.RLIMIT);
        return this;
    }

    PlanWriter rootfs(String path) {
        begin().str(path).end(Tag.ROOTFS);
        return this;
    }

    PlanWriter rootfsPropagation(long flags) {
        begin().u64(flags).end(Tag.ROOTFS_PROPAGATION);
        return this;
    }

    PlanWriter rootReadonly() {
        begin().end(Tag.ROOT_READONLY);
        return this;
    }

    PlanWriter noPivot() {
        begin().end(Tag.NO_PIVOT);
        return this;
    }

    PlanWriter mount(long flags, long remount, long propagation, int kind, String source, String target, String type,
                     String data) {
        begin().u64(flags).u64(remount).u64(propagation).u64(kind).str(source).str(target).str(type).str(data)
                .end(Tag.MOUNT);
        return this;
    }

    PlanWriter device(int type, long major, long minor, int mode, long uid, long gid, boolean bind, String path,
                      String host) {
        begin().u64(type).u64(major).u64(minor).u64(mode).u64(uid).u64(gid).u64(bind ? 1 : 0).str(path).str(host)
                .end(Tag.DEVICE);
        return this;
    }

    PlanWriter symlink(String target, String path) {
        begin().str(target).str(path).end(Tag.SYMLINK);
        return this;
    }

    PlanWriter masked(String path) {
        begin().str(path).end(Tag.MASKED);
        return this;
    }

    PlanWriter readonly(String path) {
        begin().str(path).end(Tag.READONLY);
        return this;
    }

    PlanWriter sysctl(String key, String value) {
        begin().str(key).str(value).end(Tag.SYSCTL);
        return this;
    }

    PlanWriter hostname(String name) {
        begin().str(name).end(Tag.HOSTNAME);
        return this;
    }

    PlanWriter domainname(String name) {
        begin().str(name).end(Tag.DOMAINNAME);
        return this;
    }

    PlanWriter capabilities(long bounding, long effective, long permitted, long inheritable, long ambient) {
        begin().u64(bounding).u64(effective).u64(permitted).u64(inheritable).u64(ambient).end(Tag.CAPS);
        return this;
    }

    PlanWriter user(long uid, long gid, int umask, List<Long> groups) {
        begin().u64(uid).u64(gid).u64(umask).u64(groups.size());
        for (long g : groups) u64(g);
        end(Tag.USER);
        return this;
    }

    PlanWriter noNewPrivileges() {
        begin().end(Tag.NO_NEW_PRIVS);
        return this;
    }

    PlanWriter seccomp(long flags, boolean early, byte[] bpf) {
        begin().u64(flags).u64(early ? 1 : 0).u64(bpf.length / 8);
        record.writeBytes(bpf);
        end(Tag.SECCOMP);
        return this;
    }

    PlanWriter cwd(String cwd) {
        begin().str(cwd).end(Tag.CWD);
        return this;
    }

    PlanWriter args(List<String> args) {
        begin().strings(args).end(Tag.ARGS);
        return this;
    }

    PlanWriter env(List<String> env) {
        begin().strings(env).end(Tag.ENV);
        return this;
    }

    PlanWriter execFifo(String path, long uid, long gid) {
        begin().str(path).u64(uid).u64(gid).end(Tag.EXEC_FIFO);
        return this;
    }

    PlanWriter hook(int kind, int timeoutSeconds, String path, List<String> args, List<String> env) {
        begin().u64(kind).u64(timeoutSeconds).str(path).strings(args).strings(env).end(Tag.HOOK);
        return this;
    }

    PlanWriter terminal(int rows, int columns, String consoleSocket) {
        begin().u64(rows).u64(columns).str(consoleSocket).end(Tag.TERMINAL);
        return this;
    }

    PlanWriter loopback() {
        begin().end(Tag.LOOPBACK);
        return this;
    }

    PlanWriter preserveFds(int count) {
        begin().u64(count).end(Tag.PRESERVE_FDS);
        return this;
    }

    PlanWriter runtimeHooks() {
        begin().end(Tag.RUNTIME_HOOKS);
        return this;
    }

    PlanWriter personality(long domain) {
        begin().u64(domain).end(Tag.PERSONALITY);
        return this;
    }

    PlanWriter ioPriority(long value) {
        begin().u64(value).end(Tag.IOPRIO);
        return this;
    }

    PlanWriter scheduler(long[] attr) {
        begin();
        for (long v : attr) u64(v);
        end(Tag.SCHEDULER);
        return this;
    }

    PlanWriter affinity(long[] mask) {
        begin().u64(mask.length);
        for (long w : mask) u64(w);
        end(Tag.AFFINITY);
        return this;
    }

    PlanWriter timeOffsets(long monotonicSeconds, long monotonicNanos, long boottimeSeconds, long boottimeNanos) {
        begin().u64(monotonicSeconds).u64(monotonicNanos).u64(boottimeSeconds).u64(boottimeNanos).end(Tag.TIME_OFFSETS);
        return this;
    }

    byte[] toBytes() {
        byte[] b = body.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(12 + b.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putInt(VERSION).putInt(b.length).put(b);
        return out.array();
    }
}
