package dev.vireo.image;

import dev.vireo.json.Json.Name;
import dev.vireo.json.Json.OmitEmpty;
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
    @OmitEmpty
    public record Container(
            @Name("User") String user,
            @Name("ExposedPorts") Map<String, Map<String, Object>> exposedPorts,
            @Name("Env") List<String> env,
            @Name("Entrypoint") List<String> entrypoint,
            @Name("Cmd") List<String> cmd,
            @Name("Volumes") Map<String, Map<String, Object>> volumes,
            @Name("WorkingDir") String workingDir,
            @Name("Labels") Map<String, String> labels,
            @Name("StopSignal") String stopSignal,
            @Name("ArgsEscaped") Boolean argsEscaped,
            @Name("Healthcheck") Map<String, Object> healthcheck,
            @Name("Shell") List<String> shell,
            @Name("OnBuild") List<String> onBuild) {

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
    public record RootFs(String type, @Name("diff_ids") List<Digest> diffIds) {
        public RootFs {
            diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
        }
    }

        public record History(
            String created,
            @Name("created_by") String createdBy,
            String author,
            String comment,
            @Name("empty_layer") Boolean emptyLayer) {}

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
