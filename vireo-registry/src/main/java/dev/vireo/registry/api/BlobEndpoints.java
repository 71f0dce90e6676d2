package dev.vireo.registry.api;

import dev.vireo.http.Body;
import dev.vireo.http.Headers;
import dev.vireo.http.Request;
import dev.vireo.http.Response;
import dev.vireo.http.Router;
import dev.vireo.oci.Digest;
import dev.vireo.registry.ErrorCode;
import dev.vireo.registry.Names;
import dev.vireo.registry.RegistryException;
import dev.vireo.registry.storage.Storage;
import dev.vireo.registry.storage.Uploads;

import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vireo.registry.api.Responses.digest;
import static dev.vireo.registry.api.Responses.repository;

/** Blobs (pull, delete) and blob uploads: monolithic, POST+PUT, chunked PATCH, status, cancel, cross-repository mount. */
final class BlobEndpoints {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?");
    private final Storage storage;
    private final Uploads uploads;

    BlobEndpoints(Storage storage, Uploads uploads) {
        this.storage = storage;
        this.uploads = uploads;
    }

    void register(Router router) {
        router.route("POST", "/v2/{name...}/blobs/uploads/", this::startUpload)
                .route("PATCH", "/v2/{name...}/blobs/uploads/{id}", this::patchUpload)
                .route("PUT", "/v2/{name...}/blobs/uploads/{id}", this::finishUpload)
                .route("GET", "/v2/{name...}/blobs/uploads/{id}", this::uploadStatus)
                .route("DELETE", "/v2/{name...}/blobs/uploads/{id}", this::cancelUpload)
                .route("GET", "/v2/{name...}/blobs/{digest}", this::getBlob)
                .route("DELETE", "/v2/{name...}/blobs/{digest}", this::deleteBlob);
    }

    private Response getBlob(Request request) throws IOException {
        String name = repository(request);
        Digest digest = digest(request.pathParameter("digest"));
        if (!storage.linked(name, digest)) throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is unknown to repository " + name);
        Optional<Long> stored = storage.blobSize(digest);
        if (stored.isEmpty()) throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is unknown to this registry");
        long size = stored.get();
        if (request.method().equals("HEAD")) storage.touch(digest);
        Headers headers = Headers.of("Content-Type", "application/octet-stream", "Docker-Content-Digest", digest.toString(),
                "ETag", "\"" + digest + "\"", "Accept-Ranges", "bytes", "Cache-Control", "max-age=31536000");
        String range = request.header("Range");
        if (range != null && !request.method().equals("HEAD")) {
            Matcher m = RANGE.matcher(range.strip());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                long start;
                long end;
                if (m.group(1).isEmpty()) {
                    long suffix = Long.parseLong(m.group(2));
                    start = Math.max(0, size - suffix);
                    end = size - 1;
                } else {
                    start = Long.parseLong(m.group(1));
                    end = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
                }
                if (start >= size || end < start) {
                    return new Response(416, headers.set("Content-Range", "bytes */" + size), Body.empty());
                }
                headers.set("Content-Range", "bytes " + start + "-" + end + "/" + size);
                return new Response(206, headers, new Body.FileRegion(storage.blobPath(digest), start, end - start + 1));
            }
        }
        if (request.method().equals("HEAD")) {
            return new Response(200, headers.set("Content-Length", Long.toString(size)), Body.empty());
        }
        return new Response(200, headers, new Body.FileRegion(storage.blobPath(digest), 0, size));
    }

    private Response deleteBlob(Request request) throws IOException {
        String name = repository(request);
        Digest digest = digest(request.pathParameter("digest"));
        if (!storage.unlink(name, digest)) throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is unknown to repository " + name);
        return Response.of(202);
    }

    private Response startUpload(Request request) throws IOException {
        String name = repository(request);
        Optional<String> mount = request.queryParameter("mount");
        if (mount.isPresent()) {
            Digest digest = digest(mount.get());
            String from = request.queryParameter("from").orElse("");
            if (Names.validRepository(from) && storage.linked(from, digest)) {
                storage.touch(digest);
                storage.link(name, digest);
                return created(name, digest);
            }
            // The spec's fallback: an ordinary upload session, so the client uploads instead.
        }
        Optional<String> monolithic = request.queryParameter("digest");
        Uploads.Session session = uploads.start(name);
        if (monolithic.isPresent()) {
            try {
                Digest digest = digest(monolithic.get());
                uploads.append(session, request.body(), -1, contentLength(request));
                uploads.finish(session, digest);
                return created(name, digest);
            } catch (IOException | RuntimeException e) {
                uploads.cancel(session);
                throw e;
            }
        }
        return uploadAccepted(name, session, 0);
    }

    private Response patchUpload(Request request) throws IOException {
        String name = repository(request);
        Uploads.Session session = uploads.open(name, request.pathParameter("id"));
        long start = -1;
        long length = contentLength(request);
        String range = request.header("Content-Range");
        if (range != null) {
            Matcher m = CONTENT_RANGE.matcher(range.strip());
            if (!m.matches()) throw rangeInvalid(session, "malformed Content-Range '" + range + "'");
            start = Long.parseLong(m.group(1));
            long end = Long.parseLong(m.group(2));
            if (end < start) throw rangeInvalid(session, "Content-Range ends before it starts");
            if (length >= 0 && length != end - start + 1) {
                throw rangeInvalid(session, "Content-Length " + length + " does not match Content-Range " + range);
            }
            length = end - start + 1;
        }
        try {
            long size = append(session, request, start, length);
            return uploadAccepted(name, session, size);
        } catch (RegistryException e) {
            throw e.status() == 416 ? withUploadState(e, name, session) : e;
        }
    }

    /** A 416 carries where the upload stands (Location, Range), so the client can resume from there. */
    private RegistryException withUploadState(RegistryException e, String name, Uploads.Session session) throws IOException {
        return new RegistryException(e.code(), e.status(), e.getMessage(),
                new UploadState("/v2/" + name + "/blobs/uploads/" + session.id(), rangeOf(uploads.size(session))));
    }

    /** Detail of a refused chunk; the API copies it into Location and Range fields too. */
    record UploadState(String location, String range) {}

    private long append(Uploads.Session session, Request request, long start, long length) throws IOException {
        try {
            return uploads.append(session, request.body(), start, length);
        } catch (RegistryException e) {
            if (e.status() == 416) throw rangeInvalid(session, e.getMessage());
            throw e;
        }
    }

    private static RegistryException rangeInvalid(Uploads.Session session, String message) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416, message, null);
    }

    private Response finishUpload(Request request) throws IOException {
        String name = repository(request);
        Uploads.Session session = uploads.open(name, request.pathParameter("id"));
        Digest digest = digest(request.queryParameter("digest")
                .orElseThrow(() -> new RegistryException(ErrorCode.DIGEST_INVALID, "closing an upload needs ?digest=")));
        long length = contentLength(request);
        if (length != 0) {
            long start = -1;
            String range = request.header("Content-Range");
            if (range != null) {
                Matcher m = CONTENT_RANGE.matcher(range.strip());
                if (!m.matches()) throw rangeInvalid(session, "malformed Content-Range '" + range + "'");
                start = Long.parseLong(m.group(1));
            }
            try {
                append(session, request, start, length);
            } catch (RegistryException e) {
                throw e.status() == 416 ? withUploadState(e, name, session) : e;
            }
        }
        uploads.finish(session, digest);
        return created(name, digest);
    }

    private Response uploadStatus(Request request) throws IOException {
        String name = repository(request);
        Uploads.Session session = uploads.open(name, request.pathParameter("id"));
        Response response = uploadAccepted(name, session, uploads.size(session));
        return new Response(204, response.headers(), Body.empty());
    }

    private Response cancelUpload(Request request) throws IOException {
        String name = repository(request);
        Uploads.Session session = uploads.open(name, request.pathParameter("id"));
        uploads.cancel(session);
        return Response.of(204);
    }

    private static Response created(String name, Digest digest) {
        return Response.of(201).header("Location", "/v2/" + name + "/blobs/" + digest)
                .header("Docker-Content-Digest", digest.toString());
    }

    private static Response uploadAccepted(String name, Uploads.Session session, long size) {
        return Response.of(202).header("Location", "/v2/" + name + "/blobs/uploads/" + session.id())
                .header("Docker-Upload-UUID", session.id()).header("Range", rangeOf(size));
    }

    /** The Range field of an upload: inclusive end, "0-0" for an empty upload as Docker's registry answers. */
    private static String rangeOf(long size) {
        return "0-" + Math.max(0, size - 1);
    }

    /** The declared Content-Length, or -1 for a chunked or unframed body. */
    private static long contentLength(Request request) {
        String value = request.header("Content-Length");
        if (value == null) return -1;
        return Long.parseLong(value.strip());
    }
}
