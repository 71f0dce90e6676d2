package dev.vireo.registry;

import dev.vireo.oci.MediaTypes;

import dev.vireo.oci.Digest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/** A client's view of a running registry, for tests: raw requests and small helpers to push content. */
final class RegistryFixture {
    final HttpClient http = HttpClient.newHttpClient();
    final String base;
    private final String authorization;

    RegistryFixture(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path));
        if (authorization != null) builder.header("Authorization", authorization);
        return builder;
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> sendBytes(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    HttpResponse<String> head(String path) throws IOException, InterruptedException {
        return send(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    /** Monolithic upload: one POST with the digest. */
    Digest pushBlob(String repository, byte[] data) throws IOException, InterruptedException {
        Digest digest = Digest.sha256(data);
        HttpResponse<String> response = send(request("/v2/" + repository + "/blobs/uploads/?digest=" + digest)
                .POST(HttpRequest.BodyPublishers.ofByteArray(data)));
        if (response.statusCode() != 201) throw new IllegalStateException("push failed: " + response.statusCode() + " " + response.body());
        return digest;
    }

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    static String manifestJson(String mediaType, Digest config, long configSize, List<Digest> layers, List<Long> sizes) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + mediaType + "\",\"config\":{\"mediaType\":\""
                + (mediaType.equals(MediaTypes.DOCKER_MANIFEST) ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG)
                + "\",\"digest\":\"" + config + "\",\"size\":" + configSize + "},\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            if (i > 0) json.append(',');
            json.append("{\"mediaType\":\"").append(MediaTypes.OCI_LAYER_GZIP).append("\",\"digest\":\"").append(layers.get(i))
                    .append("\",\"size\":").append(sizes.get(i)).append('}');
        }
        return json.append("]}").toString();
    }

    /** Pushes a config and one layer and a manifest referencing them, tagged; returns the manifest's bytes. */
    byte[] pushImage(String repository, String tag, long seed) throws IOException, InterruptedException {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(5000, seed);
        Digest configDigest = pushBlob(repository, config);
        Digest layerDigest = pushBlob(repository, layer);
        byte[] manifest = manifestJson(MediaTypes.OCI_MANIFEST, configDigest, config.length, List.of(layerDigest), List.of((long) layer.length))
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = send(request("/v2/" + repository + "/manifests/" + tag)
                .header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        if (response.statusCode() != 201) throw new IllegalStateException("manifest push failed: " + response.body());
        return manifest;
    }
}
