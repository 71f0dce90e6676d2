package dev.vireo.image;

import dev.vireo.json.Json;
import dev.vireo.oci.Platform;

import dev.vireo.oci.Digest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An image configuration ({@code config.md}), with the Docker extensions the builder records
 * (Healthcheck, Shell, OnBuild). Its sha256 is the image ID.
 */
public record ImageConfig(
        String created,
        String author,
        String architecture,
        String os,
        String variant,
        Container config,
        RootFs rootfs,
        List<History> history) {

    /** The execution parameters a container from this image starts with. */
    public record Container(
            String user,
            Map<String, Map<String, Object>> exposedPorts,
            List<String> env,
            List<String> entrypoint,
            List<String> cmd,
            Map<String, Map<String, Object>> volumes,
            String workingDir,
            Map<String, String> labels,
            String stopSignal,
            Boolean argsEscaped,
            Map<String, Object> healthcheck,
            List<String> shell,
            List<String> onBuild) implements Json.OmitEmpty {
        static final Json.Names JSON_NAMES = Json.Names.of("user", "User", "exposedPorts", "ExposedPorts", "env", "Env",
                "entrypoint", "Entrypoint", "cmd", "Cmd", "volumes", "Volumes", "workingDir", "WorkingDir", "labels", "Labels",
                "stopSignal", "StopSignal", "argsEscaped", "ArgsEscaped", "healthcheck", "Healthcheck", "shell", "Shell",
                "onBuild", "OnBuild");

        public static Container empty() {
            return new Container(null, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        public Container withCmd(List<String> cmd) {
            return new Container(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
                    argsEscaped, healthcheck, shell, onBuild);
        }

        public Container withEnv(List<String> env) {
            return new Container(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal,
                    argsEscaped, healthcheck, shell, onBuild);
        }
    }

    /** The layers' uncompressed digests, base first. */
    public record RootFs(String type, List<Digest> diffIds) {
        static final Json.Names JSON_NAMES = Json.Names.of("diffIds", "diff_ids");

        public RootFs {
            diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
        }
    }

        public record History(
            String created,
            String createdBy,
            String author,
            String comment,
            Boolean emptyLayer) {
        static final Json.Names JSON_NAMES = Json.Names.of("createdBy", "created_by", "emptyLayer", "empty_layer");
    }

    public List<Digest> diffIds() {
        return rootfs == null ? List.of() : rootfs.diffIds();
    }

    /** This configuration with one more layer on top and its history entry. */
    public ImageConfig withLayer(Digest diffId, History entry) {
        List<Digest> ids = new ArrayList<>(diffIds());
        ids.add(diffId);
        return new ImageConfig(created, author, architecture, os, variant, config, new RootFs("layers", ids),
                appended(entry));
    }

    /** This configuration with other execution parameters and a history entry for an instruction that adds no layer. */
    public ImageConfig withContainer(Container container, History entry) {
        return new ImageConfig(created, author, architecture, os, variant, container, rootfs,
                entry == null ? history : appended(entry));
    }

    public ImageConfig withCreated(String created) {
        return new ImageConfig(created, author, architecture, os, variant, config, rootfs, history);
    }

    private List<History> appended(History entry) {
        List<History> all = history == null ? new ArrayList<>() : new ArrayList<>(history);
        all.add(entry);
        return all;
    }

    /** A configuration with no layers for the host platform: the start of {@code FROM scratch}. */
    public static ImageConfig scratch() {
        Platform host = Platform.host();
        return new ImageConfig(null, null, host.architecture(), host.os(), null, Container.empty(),
                new RootFs("layers", List.of()), List.of());
    }
}
