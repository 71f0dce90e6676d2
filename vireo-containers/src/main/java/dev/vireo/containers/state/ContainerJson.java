package dev.vireo.containers.state;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.vireo.containers.Container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code container.json}: a {@link Container}, field by field. */
final class ContainerJson {
    private ContainerJson() {}

    static byte[] write(Container c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        try (JsonGenerator g = JsonTree.FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            g.writeStartObject();
            g.writeStringField("id", c.id());
            g.writeStringField("name", c.name());
            g.writeStringField("image", c.image());
            g.writeStringField("imageId", c.imageId());
            g.writeStringField("created", c.created().toString());
            strings(g, "command", c.command());
            g.writeObjectFieldStart("config");
            strings(g, "Env", c.config().env());
            if (c.config().entrypoint() != null) strings(g, "Entrypoint", c.config().entrypoint());
            if (c.config().cmd() != null) strings(g, "Cmd", c.config().cmd());
            if (c.config().workingDir() != null) g.writeStringField("WorkingDir", c.config().workingDir());
            if (c.config().user() != null) g.writeStringField("User", c.config().user());
            g.writeEndObject();
            if (c.stopSignal() != null) g.writeStringField("stopSignal", c.stopSignal());
            g.writeBooleanField("autoRemove", c.autoRemove());
            g.writeBooleanField("tty", c.tty());
            g.writeBooleanField("interactive", c.interactive());
            g.writeStringField("status", c.status().toString());
            g.writeNumberField("pid", c.pid());
            g.writeNumberField("pidStart", c.pidStart());
            g.writeNumberField("monitor", c.monitor());
            g.writeNumberField("monitorStart", c.monitorStart());
            if (c.startedAt() != null) g.writeStringField("startedAt", c.startedAt().toString());
            if (c.finishedAt() != null) g.writeStringField("finishedAt", c.finishedAt().toString());
            if (c.exitCode() != null) g.writeNumberField("exitCode", c.exitCode());
            g.writeBooleanField("oomKilled", c.oomKilled());
            if (c.error() != null) g.writeStringField("error", c.error());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    static Container read(byte[] json, String what) throws IOException {
        Map<String, Object> m = JsonTree.object(json, what);
        Map<String, Object> config = JsonTree.map(m, "config");
        Container.Config cfg = config == null ? new Container.Config(List.of(), null, null, null, null)
                : new Container.Config(JsonTree.strings(config, "Env"), JsonTree.strings(config, "Entrypoint"),
                JsonTree.strings(config, "Cmd"), JsonTree.string(config, "WorkingDir"), JsonTree.string(config, "User"));
        try {
            return new Container(JsonTree.string(m, "id"), JsonTree.string(m, "name"), JsonTree.string(m, "image"),
                    JsonTree.string(m, "imageId"), instant(m, "created"), orEmpty(JsonTree.strings(m, "command")), cfg,
                    JsonTree.string(m, "stopSignal"), JsonTree.bool(m, "autoRemove"), JsonTree.bool(m, "tty"), JsonTree.bool(m, "interactive"),
                    Container.Status.parse(JsonTree.string(m, "status")), (int) JsonTree.number(m, "pid"),
                    JsonTree.number(m, "pidStart"), (int) JsonTree.number(m, "monitor"), JsonTree.number(m, "monitorStart"),
                    instant(m, "startedAt"), instant(m, "finishedAt"),
                    m.get("exitCode") instanceof Number n ? n.intValue() : null, JsonTree.bool(m, "oomKilled"),
                    JsonTree.string(m, "error"));
        } catch (RuntimeException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
    }

    private static Instant instant(Map<String, Object> m, String key) {
        String s = JsonTree.string(m, key);
        return s == null ? null : Instant.parse(s);
    }

    private static List<String> orEmpty(List<String> l) {
        return l == null ? List.of() : l;
    }

    private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }
}
