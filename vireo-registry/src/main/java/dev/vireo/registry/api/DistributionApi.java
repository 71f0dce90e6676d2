package dev.vireo.registry.api;

import dev.vireo.http.Handler;
import dev.vireo.http.Request;
import dev.vireo.http.Response;
import dev.vireo.http.Router;
import dev.vireo.registry.ErrorCode;
import dev.vireo.registry.RegistryException;
import dev.vireo.registry.auth.Htpasswd;
import dev.vireo.registry.storage.Storage;
import dev.vireo.registry.storage.Uploads;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The distribution API as one HTTP handler: authentication first (when an htpasswd file is
 * configured), then the endpoint, with every refusal turned into the spec's error body and
 * every answer carrying {@code Docker-Distribution-API-Version}.
 */
public final class DistributionApi implements Handler {
    private static final String REALM = "Basic realm=\"Vireo Registry\"";
    private final Storage storage;
    private final Htpasswd users;
    private final Router router = new Router();

    public DistributionApi(Storage storage, Uploads uploads, Htpasswd users, int maxManifestBytes) {
        this.storage = storage;
        this.users = users;
        router.get("/v2/", request -> Responses.json(200, Map.of()))
                .get("/v2/_catalog", this::catalog);
        new BlobEndpoints(storage, uploads).register(router);
        new ManifestEndpoints(storage, maxManifestBytes).register(router);
        router.notFound(request -> Responses.error(new RegistryException(ErrorCode.NAME_UNKNOWN, 404, "no such endpoint: " + request.path(), null)))
                .methodNotAllowed((request, allowed) -> Responses.error(new RegistryException(ErrorCode.UNSUPPORTED, 405,
                        request.method() + " is not supported here", null)).header("Allow", String.join(", ", allowed)));
    }

    @Override
    public Response handle(Request request) throws IOException {
        Response response;
        if (users != null && users.authenticate(request.header("Authorization")).isEmpty()) {
            String message = request.header("Authorization") == null ? "authentication required" : "invalid username or password";
            response = Responses.error(new RegistryException(ErrorCode.UNAUTHORIZED, message)).header("WWW-Authenticate", REALM);
        } else {
            try {
                response = router.handle(request);
            } catch (RegistryException e) {
                response = Responses.error(e);
            } catch (NumberFormatException e) {
                response = Responses.error(new RegistryException(ErrorCode.SIZE_INVALID, 400, "malformed number: " + e.getMessage(), null));
            }
        }
        return response.header("Docker-Distribution-API-Version", "registry/2.0");
    }

    private Response catalog(Request request) throws IOException {
        Responses.Page page = Responses.page(storage.repositories(), request);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("repositories", page.items());
        Response response = Responses.json(200, body);
        Responses.linkNext(response, "/v2/_catalog", page, request);
        return response;
    }
}
