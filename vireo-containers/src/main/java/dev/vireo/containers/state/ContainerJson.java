package dev.vireo.containers.state;

import dev.vireo.containers.Container;
import dev.vireo.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code container.json}: a {@link Container}, field by field. */
final class ContainerJson {
    private ContainerJson() {}

    static byte[] write(Container c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("name", c.name());
        m.put("image", c.image());
        m.put("imageId", c.imageId());
        m.put("created", c.created().toString());
        m.put("command", c.command());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Env", c.config().env());
        config.put("Entrypoint", c.config().entrypoint());
        config.put("Cmd", c.config().cmd());
        config.put("WorkingDir", c.config().workingDir());
        config.put("User", c.config().user());
        m.put("config", config);
        m.put("stopSignal", c.stopSignal());
        m.put("autoRemove", c.autoRemove());
        m.put("tty", c.tty());
        m.put("interactive", c.interactive());
        m.put("status", c.status().toString());
        m.put("pid", c.pid());
        m.put("pidStart", c.pidStart());
        m.put("monitor", c.monitor());
        m.put("monitorStart", c.monitorStart());
        m.put("startedAt", c.startedAt() == null ? null : c.startedAt().toString());
        m.put("finishedAt", c.finishedAt() == null ? null : c.finishedAt().toString());
        m.put("exitCode", c.exitCode());
        m.put("oomKilled", c.oomKilled());
        m.put("error", c.error());
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        out.writeBytes(Json.write(m, Json.Style.INDENTED));
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
}
