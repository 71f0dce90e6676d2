package dev.vireo.oci;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DigestAndReferenceTest {
    @Test
    void digestOfKnownContent() {
        assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Digest.sha256(new byte[0]).toString());
        assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII)).toString());
    }

    @Test
    void malformedDigestsAreRefused() {
        assertThrows(BadContentException.class, () -> Digest.parse("sha256:abc"));
        assertThrows(BadContentException.class, () -> Digest.parse("md5:" + "0".repeat(32)));
        assertThrows(BadContentException.class, () -> Digest.parse("sha256:" + "A".repeat(64)));
        assertThrows(BadContentException.class, () -> Digest.parse("e3b0c442"));
    }

    @Test
    void namesNormalizeAsDockerDoes() {
        assertEquals("docker.io/library/busybox:latest", ImageRef.parse("busybox").toString());
        assertEquals("docker.io/library/busybox:1.36", ImageRef.parse("docker.io/busybox:1.36").toString());
        assertEquals("docker.io/library/busybox:latest", ImageRef.parse("index.docker.io/library/busybox").toString());
        assertEquals("docker.io/me/app:latest", ImageRef.parse("me/app").toString());
        assertEquals("localhost:5000/app:v1", ImageRef.parse("localhost:5000/app:v1").toString());
        assertEquals("localhost/app:latest", ImageRef.parse("localhost/app").toString());
        assertEquals("quay.io/a/b/c:latest", ImageRef.parse("quay.io/a/b/c").toString());
        ImageRef byDigest = ImageRef.parse("busybox@sha256:" + "a".repeat(64));
        assertEquals(null, byDigest.tag());
        assertEquals("busybox@sha256:" + "a".repeat(64), byDigest.familiar());
        assertEquals("busybox:latest", ImageRef.parse("busybox").familiar());
        assertEquals("me/app:latest", ImageRef.parse("me/app").familiar());
        assertEquals("localhost:5000/app:v1", ImageRef.parse("localhost:5000/app:v1").familiar());
    }

    @Test
    void invalidNamesAreRefusedWithTheReason() {
        assertEquals("invalid reference 'Busybox': repository name must be lowercase",
                assertThrows(BadContentException.class, () -> ImageRef.parse("Busybox")).getMessage());
        assertThrows(BadContentException.class, () -> ImageRef.parse("busybox:"));
        assertThrows(BadContentException.class, () -> ImageRef.parse("bu$ybox"));
        assertThrows(BadContentException.class, () -> ImageRef.parse(":tag"));
        assertThrows(BadContentException.class, () -> ImageRef.parse("a".repeat(64).replace('a', 'b').replace('b', 'c')
                .replace('c', 'd').replace('d', 'e').replace('e', 'f')));
    }

    @Test
    void aManifestRequestNamesTheDigestWhenThereIsOneElseTheTag() {
        Digest digest = Digest.sha256(new byte[0]);
        assertEquals(digest.toString(), ImageRef.parse("reg.example:443/app:v1@" + digest).reference());
        assertEquals("v1", ImageRef.parse("127.0.0.1:5000/team/app:v1").reference());
        assertEquals("127.0.0.1:5000", ImageRef.parse("127.0.0.1:5000/team/app:v1").domain());
        assertEquals("team/app", ImageRef.parse("127.0.0.1:5000/team/app:v1").path());
    }
}
