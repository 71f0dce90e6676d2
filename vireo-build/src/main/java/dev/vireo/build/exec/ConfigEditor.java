package dev.vireo.build.exec;

import dev.vireo.image.ImageConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A mutable copy of an image's execution parameters, for the instructions that change them. */
final class ConfigEditor {
    String user;
    Map<String, Map<String, Object>> exposedPorts;
    List<String> env;
    List<String> entrypoint;
    List<String> cmd;
    Map<String, Map<String, Object>> volumes;
    String workingDir;
    Map<String, String> labels;
    String stopSignal;
    Boolean argsEscaped;
    Map<String, Object> healthcheck;
    List<String> shell;
    List<String> onBuild;

    ConfigEditor(ImageConfig.Container c) {
        user = c.user();
        exposedPorts = c.exposedPorts() == null ? null : new LinkedHashMap<>(c.exposedPorts());
        env = c.env() == null ? null : new ArrayList<>(c.env());
        entrypoint = c.entrypoint();
        cmd = c.cmd();
        volumes = c.volumes() == null ? null : new LinkedHashMap<>(c.volumes());
        workingDir = c.workingDir();
        labels = c.labels() == null ? null : new LinkedHashMap<>(c.labels());
        stopSignal = c.stopSignal();
        argsEscaped = c.argsEscaped();
        healthcheck = c.healthcheck();
        shell = c.shell();
        onBuild = c.onBuild() == null ? null : new ArrayList<>(c.onBuild());
    }

    /** Sets {@code name} in the environment, in place when it is there already. */
    void setEnv(String name, String value) {
        if (env == null) env = new ArrayList<>();
        String entry = name + "=" + value;
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i).startsWith(name + "=") || env.get(i).equals(name)) {
                env.set(i, entry);
                return;
            }
        }
        env.add(entry);
    }

    ImageConfig.Container build() {
        return new ImageConfig.Container(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
                argsEscaped, healthcheck, shell, onBuild);
    }

    /** The environment as a map, for variable substitution. */
    static Map<String, String> envMap(List<String> env) {
        Map<String, String> map = new LinkedHashMap<>();
        if (env == null) return map;
        for (String e : env) {
            int eq = e.indexOf('=');
            if (eq > 0) map.put(e.substring(0, eq), e.substring(eq + 1));
            else if (eq < 0) map.put(e, "");
        }
        return map;
    }
}
