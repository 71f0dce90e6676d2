package dev.vireo.http;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RouterTest {
    private static Request request(String method, String target) {
        return new Request(method, target, "HTTP/1.1", Headers.of("Host", "x"), InputStream.nullInputStream(), false);
    }

    private static String answer(Router router, String method, String target) throws IOException {
        Response response = router.handle(request(method, target));
        String body = response.body() instanceof Body.Bytes(byte[] data) ? new String(data).strip() : "";
        return response.status() + " " + body;
    }

    private final Router router = new Router()
            .get("/v2/", r -> Response.text(200, "base"))
            .get("/v2/_catalog", r -> Response.text(200, "catalog"))
            .get("/v2/{name...}/blobs/{digest}", r -> Response.text(200, "blob " + r.pathParameter("name") + " " + r.pathParameter("digest")))
            .route("DELETE", "/v2/{name...}/blobs/{digest}", r -> Response.text(202, "deleted"))
            .route("POST", "/v2/{name...}/blobs/uploads/", r -> Response.text(202, "upload " + r.pathParameter("name")))
            .route("PATCH", "/v2/{name...}/blobs/uploads/{id}", r -> Response.text(202, "patch " + r.pathParameter("name") + " " + r.pathParameter("id")))
            .get("/v2/{name...}/tags/list", r -> Response.text(200, "tags " + r.pathParameter("name")));

    @Test
    void capturesMultiSegmentNamesBeforeFixedSegments() throws IOException {
        assertEquals("200 blob library/alpine sha256:ab", answer(router, "GET", "/v2/library/alpine/blobs/sha256:ab"));
        assertEquals("200 blob a/b/c sha256:ab", answer(router, "GET", "/v2/a/b/c/blobs/sha256:ab?x=1"));
        assertEquals("202 upload a/b", answer(router, "POST", "/v2/a/b/blobs/uploads/"));
        assertEquals("202 patch a/b 123-abc", answer(router, "PATCH", "/v2/a/b/blobs/uploads/123-abc"));
        assertEquals("200 tags x", answer(router, "GET", "/v2/x/tags/list?n=2"));
        assertEquals("200 catalog", answer(router, "GET", "/v2/_catalog"));
        assertEquals("200 base", answer(router, "GET", "/v2/"));
    }

    @Test
    void answers405WithAllowForAKnownPathAndAnotherMethod() throws IOException {
        Response response = router.handle(request("PUT", "/v2/a/blobs/sha256:ab"));
        assertEquals(405, response.status());
        assertEquals("DELETE, GET, HEAD", response.headers().get("Allow"));
    }

    @Test
    void fallsBackFromHeadToGet() throws IOException {
        assertEquals("200 blob a sha256:ab", answer(router, "HEAD", "/v2/a/blobs/sha256:ab"));
    }

    @Test
    void answers404ForUnknownPathsAndEmptySegments() throws IOException {
        assertEquals(404, router.handle(request("GET", "/v3/")).status());
        assertEquals(404, router.handle(request("GET", "/v2//blobs/sha256:ab")).status());
        assertEquals(404, router.handle(request("GET", "/v2/a/blobs/")).status());
    }

    @Test
    void decodesPercentEncodedParameters() throws IOException {
        assertEquals("200 blob a sha256:ab", answer(router, "GET", "/v2/a/blobs/sha256%3Aab"));
    }
}
