package dev.vireo.registry.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BcryptTest {
    // Written by Apache's `htpasswd -nbB -C COST USER PASSWORD` (apache2-utils 2.4).
    private static final String ALICE = "$2y$05$SHqkjjugAX4Ah44848hwmuSSEzSWBboXs1VxxOMq1AfmJxLfyTBpa";
    private static final String BOB_UNICODE = "$2y$04$LyP2xgIrXxbsXgbtlH7Px.ugaJn4rNDPPawcDnE7hMGSFKe/e68R6";
    private static final String CAROL_EMPTY = "$2y$10$hg3k3FWym4Bf/naE80u0bOz9pGL9NwjJvs2SGdvMq5j9j7ztYNFPS";
    private static final String DAVE_80_CHARS = "$2y$04$kW/PAKUK8ox7TGMP2Cs/B.yNqvDS9sffRkvwKBfKtrLOYbvlyi7iq";

    @Test
    void verifiesHashesWrittenByApacheHtpasswd() {
        assertTrue(Bcrypt.verify("s3cret pass", ALICE));
        assertTrue(Bcrypt.verify("ünïcödé", BOB_UNICODE));
        assertTrue(Bcrypt.verify("", CAROL_EMPTY));
        assertTrue(Bcrypt.verify("a".repeat(80), DAVE_80_CHARS));
    }

    @Test
    void rejectsWrongPasswords() {
        assertFalse(Bcrypt.verify("s3cret pasS", ALICE));
        assertFalse(Bcrypt.verify("s3cret pass ", ALICE));
        assertFalse(Bcrypt.verify("x", CAROL_EMPTY));
    }

    @Test
    void passwordsAreCutAt72Bytes() {
        assertTrue(Bcrypt.verify("a".repeat(72), DAVE_80_CHARS));
        assertFalse(Bcrypt.verify("a".repeat(71), DAVE_80_CHARS));
    }

    @Test
    void hashesItVerifies() {
        String hash = Bcrypt.hash("correct horse", 4);
        assertTrue(hash.startsWith("$2y$04$"));
        assertTrue(Bcrypt.verify("correct horse", hash));
        assertFalse(Bcrypt.verify("correct horse!", hash));
    }

    @Test
    void malformedHashesNeverMatch() {
        assertFalse(Bcrypt.verify("", ""));
        assertFalse(Bcrypt.verify("s3cret pass", "$1$abc$def"));
        assertFalse(Bcrypt.verify("s3cret pass", ALICE.replace("$05$", "$xx$")));
        assertFalse(Bcrypt.verify("s3cret pass", ALICE.substring(0, 59) + "!"));
    }
}
