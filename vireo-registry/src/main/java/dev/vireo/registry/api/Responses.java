package dev.vireo.registry.api;

import dev.vireo.http.Request;
import dev.vireo.http.Response;
import dev.vireo.json.Json;
import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Digest;
import dev.vireo.registry.ErrorCode;
import dev.vireo.registry.Names;
import dev.vireo.registry.RegistryException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What every endpoint shares: JSON bodies, the spec's error body, validated path parameters, pagination. */
final class Responses {
    private Responses() {}

    static Response json(int status, Object value) {
        return Response.of(status, "application/json", Json.write(value, Json.Style.COMPACT));
    }

    /** {@code {"errors":[{"code","message","detail"}]}} with the exception's status. */
    static Response error(RegistryException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", e.code().name());
        error.put("message", e.getMessage() == null ? e.code().description() : e.getMessage());
        if (e.detail() instanceof BlobEndpoints.UploadState(String location, String range)) {
            error.put("detail", Map.of("range", range));
            return json(e.status(), Map.of("errors", List.of(error))).header("Location", location).header("Range", range);
        }
        if (e.detail() != null) error.put("detail", e.detail());
        return json(e.status(), Map.of("errors", List.of(error)));
    }

    /** The repository name in the path, or NAME_INVALID. */
    static String repository(Request request) {
        String name = request.pathParameter("name");
        if (!Names.validRepository(name)) throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name '" + name + "'");
        return name;
    }

    static Digest digest(String text) {
        try {
            return Digest.parse(text);
        } catch (BadContentException e) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, e.getMessage());
        }
    }

    /** One page of a sorted list after {@code last}, at most {@code n} long, and whether more follow. */
    record Page(List<String> items, boolean more) {}

    static Page page(List<String> sorted, Request request) {
        String last = request.queryParameter("last").orElse(null);
        int n = Integer.MAX_VALUE;
        String count = request.queryParameter("n").orElse(null);
        if (count != null) {
            try {
                n = Integer.parseInt(count);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0) throw new RegistryException(ErrorCode.UNSUPPORTED, 400, "n must be a non-negative integer", null);
        }
        int from = 0;
        if (last != null) {
            while (from < sorted.size() && sorted.get(from).compareTo(last) <= 0) from++;
        }
        int to = (int) Math.min(sorted.size(), (long) from + n);
        return new Page(sorted.subList(from, to), to < sorted.size());
    }

    /** The RFC 5988 Link to the next page, as the spec and Docker's registry send it. */
    static void linkNext(Response response, String path, Page page, Request request) {
        if (!page.more() || page.items().isEmpty()) return;
        String n = request.queryParameter("n").orElse(Integer.toString(page.items().size()));
        response.header("Link", "<" + path + "?n=" + n + "&last=" + page.items().getLast() + ">; rel=\"next\"");
    }
}
