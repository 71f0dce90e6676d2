package dev.vireo.registry.api;

import dev.vireo.http.Body;
import dev.vireo.http.Headers;
import dev.vireo.http.Request;
import dev.vireo.http.Response;
import dev.vireo.http.Router;
import dev.vireo.json.Json;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.oci.MediaTypes;
import dev.vireo.registry.ErrorCode;
import dev.vireo.registry.Manifest;
import dev.vireo.registry.Names;
import dev.vireo.registry.RegistryException;
import dev.vireo.registry.storage.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.vireo.registry.api.Responses.digest;
import static dev.vireo.registry.api.Responses.repository;

/** Manifests by tag or digest (with Accept negotiation), tags lists, and the referrers API. */
final class ManifestEndpoints {
    private final Storage storage;
    private final int maxManifestBytes;

    ManifestEndpoints(Storage storage, int maxManifestBytes) {
        this.storage = storage;
        this.maxManifestBytes = maxManifestBytes;
    }

    void register(Router router) {
        router.route("GET", "/v2/{name...}/manifests/{reference}", this::getManifest)
                .route("PUT", "/v2/{name...}/manifests/{reference}", this::putManifest)
                .route("DELETE", "/v2/{name...}/manifests/{reference}", this::deleteManifest)
                .route("GET", "/v2/{name...}/tags/list", this::listTags)
                .route("GET", "/v2/{name...}/referrers/{digest}", this::referrers);
    }

    /** A tag or a digest, validated. */
    private sealed interface Reference {
        record Tag(String tag) implements Reference {}

        record ByDigest(Digest digest) implements Reference {}
    }

    private static Reference reference(String text) {
        if (text.contains(":")) return new Reference.ByDigest(digest(text));
        if (!Names.validTag(text)) throw new RegistryException(ErrorCode.MANIFEST_INVALID, "invalid tag '" + text + "'");
        return new Reference.Tag(text);
    }

    private Storage.StoredManifest find(String name, Reference reference) throws IOException {
        Optional<Digest> digest = switch (reference) {
            case Reference.Tag(String tag) -> storage.resolveTag(name, tag);
            case Reference.ByDigest(Digest d) -> Optional.of(d);
        };
        Optional<Storage.StoredManifest> manifest = digest.isPresent() ? storage.manifest(name, digest.get()) : Optional.empty();
        return manifest.orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                "manifest " + describe(reference) + " is unknown to repository " + name));
    }

    private static String describe(Reference reference) {
        return switch (reference) {
            case Reference.Tag(String tag) -> "tag " + tag;
            case Reference.ByDigest(Digest d) -> d.toString();
        };
    }

    private Response getManifest(Request request) throws IOException {
        String name = repository(request);
        Reference reference = reference(request.pathParameter("reference"));
        Storage.StoredManifest manifest = find(name, reference);
        if (reference instanceof Reference.Tag && !acceptable(request, manifest.mediaType())) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, 404,
                    "manifest " + describe(reference) + " is a " + manifest.mediaType() + ", which the request does not Accept", null);
        }
        Headers headers = Headers.of("Content-Type", manifest.mediaType(), "Docker-Content-Digest", manifest.digest().toString(),
                "ETag", "\"" + manifest.digest() + "\"");
        if (request.method().equals("HEAD")) {
            storage.touch(manifest.digest());
            return new Response(200, headers.add("Content-Length", Long.toString(manifest.size())), Body.empty());
        }
        return new Response(200, headers, new Body.FileRegion(manifest.file(), 0, manifest.size()));
    }

    /** Whether the Accept field admits the type; no Accept (or a wildcard) admits every type. */
    private static boolean acceptable(Request request, String mediaType) {
        List<String> accepted = request.headers().elements("Accept");
        if (accepted.isEmpty()) return true;
        for (String element : accepted) {
            String type = element.split(";")[0].strip();
            if (type.equals("*/*") || type.equals(mediaType)) return true;
        }
        return false;
    }

    private Response putManifest(Request request) throws IOException {
        String name = repository(request);
        Reference reference = reference(request.pathParameter("reference"));
        byte[] data;
        try {
            data = request.readBody(maxManifestBytes);
        } catch (Request.BodyTooLargeException e) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, 413, "manifest larger than " + maxManifestBytes + " bytes", null);
        }
        Manifest manifest = Manifest.parse(data, request.header("Content-Type"));
        Digest digest = reference instanceof Reference.ByDigest(Digest given) && !given.algorithm().equals("sha256")
                ? Digest.of(given.algorithm(), given.newHasher().digest(data)) : Digest.sha256(data);
        if (reference instanceof Reference.ByDigest(Digest given) && !given.equals(digest)) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "manifest digest " + digest + " does not match " + given);
        }
        List<String> tags = new ArrayList<>(request.query().getOrDefault("tag", List.of()));
        if (reference instanceof Reference.Tag(String tag)) tags.addFirst(tag);
        for (String tag : tags) {
            if (!Names.validTag(tag)) throw new RegistryException(ErrorCode.MANIFEST_INVALID, "invalid tag '" + tag + "'");
        }
        checkReferences(name, manifest);
        storage.putBytes(data, digest);
        storage.putRevision(name, digest, manifest.mediaType());
        if (manifest.subject() != null) {
            storage.putReferrer(name, manifest.subject().digest(), digest, referrerDescriptor(manifest, digest, data.length));
        }
        for (String tag : tags) storage.tag(name, tag, digest);
        Response response = Response.of(201).header("Location", "/v2/" + name + "/manifests/" + digest)
                .header("Docker-Content-Digest", digest.toString());
        if (manifest.subject() != null) response.header("OCI-Subject", manifest.subject().digest().toString());
        return response;
    }

    /** Every blob a manifest needs, and every manifest an index lists, must already be in the repository. */
    private void checkReferences(String name, Manifest manifest) throws IOException {
        for (Descriptor blob : manifest.blobs()) {
            if (!blob.urls().isEmpty()) continue; // foreign layers live elsewhere by design
            if (!storage.linked(name, blob.digest())) {
                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, 400, "manifest references blob " + blob.digest()
                        + ", which repository " + name + " does not have", Map.of("digest", blob.digest().toString()));
            }
            storage.touch(blob.digest());
        }
        for (Descriptor child : manifest.manifests()) {
            if (storage.manifest(name, child.digest()).isEmpty()) {
                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, 400, "index references manifest " + child.digest()
                        + ", which repository " + name + " does not have", Map.of("digest", child.digest().toString()));
            }
        }
    }

    private static byte[] referrerDescriptor(Manifest manifest, Digest digest, long size) throws IOException {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", manifest.mediaType());
        descriptor.put("digest", digest.toString());
        descriptor.put("size", size);
        String artifactType = manifest.artifactType() != null ? manifest.artifactType()
                : manifest.config() != null ? manifest.config().mediaType() : null;
        if (artifactType != null) descriptor.put("artifactType", artifactType);
        if (!manifest.annotations().isEmpty()) descriptor.put("annotations", manifest.annotations());
        return Json.write(descriptor, Json.Style.COMPACT);
    }

    private Response deleteManifest(Request request) throws IOException {
        String name = repository(request);
        Reference reference = reference(request.pathParameter("reference"));
        switch (reference) {
            case Reference.Tag(String tag) -> {
                if (!storage.deleteTag(name, tag)) throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "tag " + tag + " is unknown to repository " + name);
            }
            case Reference.ByDigest(Digest digest) -> {
                Storage.StoredManifest stored = find(name, reference);
                Manifest manifest = Manifest.parse(storage.readBlob(stored.digest()), stored.mediaType());
                for (String tag : storage.tags(name)) {
                    if (storage.resolveTag(name, tag).filter(digest::equals).isPresent()) storage.deleteTag(name, tag);
                }
                if (manifest.subject() != null) storage.deleteReferrer(name, manifest.subject().digest(), digest);
                storage.deleteRevision(name, digest);
            }
        }
        return Response.of(202);
    }

    private Response listTags(Request request) throws IOException {
        String name = repository(request);
        if (!storage.repositoryExists(name)) throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository " + name + " is unknown to this registry");
        Responses.Page page = Responses.page(storage.tags(name), request);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("tags", page.items());
        Response response = Responses.json(200, body);
        Responses.linkNext(response, "/v2/" + name + "/tags/list", page, request);
        return response;
    }

    private Response referrers(Request request) throws IOException {
        String name = repository(request);
        Digest subject = digest(request.pathParameter("digest"));
        Optional<String> artifactType = request.queryParameter("artifactType");
        List<Object> manifests = new ArrayList<>();
        for (byte[] descriptor : storage.referrers(name, subject)) {
            Object node = Json.parse(descriptor, "referrer descriptor");
            if (artifactType.isPresent() && !artifactType.get().equals(Json.at(node, "artifactType"))) continue;
            manifests.add(node);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", manifests);
        Response response = Responses.json(200, index);
        response.headers().set("Content-Type", MediaTypes.OCI_INDEX);
        if (artifactType.isPresent()) response.header("OCI-Filters-Applied", "artifactType");
        return response;
    }
}
