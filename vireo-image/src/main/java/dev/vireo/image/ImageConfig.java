package dev.vireo.image;

import dev.vireo.oci.Platform;

import dev.vireo.oci.Digest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An image configuration ({@code config.md}), with the Docker extensions the builder records
 * (Healthcheck, Shell, OnBuild). Its sha256 is the image ID.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageConfig(
        @JsonProperty("created") String created,
        @JsonProperty("author") String author,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("variant") String variant,
        @JsonProperty("config") Container config,
        @JsonProperty("rootfs") RootFs rootfs,
        @JsonProperty("history") List<History> history) {

    /** The execution parameters a container from this image starts with. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Container(
            @JsonProperty("User") String user,
            @JsonProperty("ExposedPorts") Map<String, Map<String, Object>> exposedPorts,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("Volumes") Map<String, Map<String, Object>> volumes,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("StopSignal") String stopSignal,
            @JsonProperty("ArgsEscaped") Boolean argsEscaped,
            @JsonProperty("Healthcheck") Map<String, Object> healthcheck,
            @JsonProperty("Shell") List<String> shell,
            @JsonProperty("OnBuild") List<String> onBuild) {

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
    public record RootFs(@JsonProperty("type") String type, @JsonProperty("diff_ids") List<Digest> diffIds) {
        public RootFs {
            diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record History(
            @JsonProperty("created") String created,
            @JsonProperty("created_by") String createdBy,
            @JsonProperty("author") String author,
            @JsonProperty("comment") String comment,
            @JsonProperty("empty_layer") Boolean emptyLayer) {}

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
