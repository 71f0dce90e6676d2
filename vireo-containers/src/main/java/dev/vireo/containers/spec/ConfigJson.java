package dev.vireo.containers.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.vireo.containers.RuntimeSpec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@link RuntimeSpec} as {@code config.json}, on Jackson's streaming generator (no data binding to load). */
public final class ConfigJson {
    /** The runtime-spec version these configurations follow. */
    public static final String OCI_VERSION = "1.2.1";
    private static final JsonFactory FACTORY = new JsonFactory();

    private ConfigJson() {}

    public static byte[] write(RuntimeSpec spec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            g.writeStartObject();
            g.writeStringField("ociVersion", OCI_VERSION);
            process(g, spec.process());
            g.writeObjectFieldStart("root");
            g.writeStringField("path", spec.root().toString());
            g.writeBooleanField("readonly", false);
            g.writeEndObject();
            if (spec.hostname() != null) g.writeStringField("hostname", spec.hostname());
            g.writeArrayFieldStart("mounts");
            for (RuntimeSpec.Mount m : spec.mounts()) {
                g.writeStartObject();
                g.writeStringField("destination", m.destination());
                g.writeStringField("type", m.type());
                g.writeStringField("source", m.source());
                strings(g, "options", m.options());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (!spec.annotations().isEmpty()) {
                g.writeObjectFieldStart("annotations");
                for (Map.Entry<String, String> a : new TreeMap<>(spec.annotations()).entrySet()) {
                    g.writeStringField(a.getKey(), a.getValue());
                }
                g.writeEndObject();
            }
            linux(g, spec.linux());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    public static Path writeBundle(RuntimeSpec spec, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("config.json");
        Path tmp = Files.createTempFile(dir, ".config", ".json");
        try {
            Files.write(tmp, write(spec));
            Files.move(tmp, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return config;
    }

    private static void process(JsonGenerator g, RuntimeSpec.Process p) throws IOException {
        g.writeObjectFieldStart("process");
        g.writeBooleanField("terminal", p.terminal());
        g.writeObjectFieldStart("user");
        g.writeNumberField("uid", p.user().uid());
        g.writeNumberField("gid", p.user().gid());
        if (!p.user().additionalGids().isEmpty()) {
            g.writeArrayFieldStart("additionalGids");
            for (long gid : p.user().additionalGids()) g.writeNumber(gid);
            g.writeEndArray();
        }
        g.writeEndObject();
        strings(g, "args", p.args());
        strings(g, "env", p.env());
        g.writeStringField("cwd", p.cwd());
        List<String> granted = p.user().uid() == 0 ? p.capabilities() : List.of();
        g.writeObjectFieldStart("capabilities");
        strings(g, "bounding", p.capabilities());
        strings(g, "effective", granted);
        strings(g, "permitted", granted);
        g.writeEndObject();
        g.writeBooleanField("noNewPrivileges", p.noNewPrivileges());
        g.writeEndObject();
    }

    private static void linux(JsonGenerator g, RuntimeSpec.Linux l) throws IOException {
        g.writeObjectFieldStart("linux");
        RuntimeSpec.Resources r = l.resources();
        g.writeObjectFieldStart("resources");
        // Every device denied, as Docker and podman write it; the runtime then allows the standard ones.
        g.writeArrayFieldStart("devices");
        g.writeStartObject();
        g.writeBooleanField("allow", false);
        g.writeStringField("access", "rwm");
        g.writeEndObject();
        g.writeEndArray();
        if (r.memory() != null) {
            g.writeObjectFieldStart("memory");
            g.writeNumberField("limit", r.memory());
            if (r.memorySwap() != null) g.writeNumberField("swap", r.memorySwap());
            g.writeEndObject();
        }
        if (r.cpuQuota() != null) {
            g.writeObjectFieldStart("cpu");
            g.writeNumberField("quota", r.cpuQuota());
            g.writeNumberField("period", r.cpuPeriod());
            g.writeEndObject();
        }
        if (r.pids() != null) {
            g.writeObjectFieldStart("pids");
            g.writeNumberField("limit", r.pids());
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeArrayFieldStart("namespaces");
        for (String type : l.namespaces()) {
            g.writeStartObject();
            g.writeStringField("type", type);
            g.writeEndObject();
        }
        g.writeEndArray();
        if (l.seccomp() != null) {
            g.writeFieldName("seccomp");
            g.writeRawValue(l.seccomp());
        }
        strings(g, "maskedPaths", l.maskedPaths());
        strings(g, "readonlyPaths", l.readonlyPaths());
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }
}
