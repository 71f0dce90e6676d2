package dev.vireo.registry;

import dev.vireo.registry.auth.Bcrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthenticationTest {
    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void challengesMissingAndWrongCredentialsAndAdmitsRightOnes(@TempDir Path dir) throws Exception {
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:" + Bcrypt.hash("secret", 5) + "\n");
        try (RegistryServer server = RegistryServer.start(RegistryServer.Config.of(dir.resolve("root"), new InetSocketAddress("127.0.0.1", 0))
                .withHtpasswd(htpasswd))) {
            for (String authorization : new String[] {null, basic("alice", "wrong"), basic("mallory", "secret"), "Basic !!!", "Bearer x"}) {
                HttpResponse<String> response = new RegistryFixture(server.url(), authorization).get("/v2/");
                assertEquals(401, response.statusCode(), String.valueOf(authorization));
                assertEquals("Basic realm=\"Vireo Registry\"", response.headers().firstValue("WWW-Authenticate").orElseThrow());
                assertTrue(response.body().contains("\"code\":\"UNAUTHORIZED\""));
            }
            RegistryFixture alice = new RegistryFixture(server.url(), basic("alice", "secret"));
            assertEquals(200, alice.get("/v2/").statusCode());
            alice.pushImage("private/app", "v1", 1);
            assertEquals(200, alice.get("/v2/private/app/manifests/v1").statusCode());
            assertEquals(401, new RegistryFixture(server.url(), null).get("/v2/private/app/manifests/v1").statusCode());
        }
    }
}
