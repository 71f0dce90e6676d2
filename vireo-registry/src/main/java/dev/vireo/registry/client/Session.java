package dev.vireo.registry.client;

import dev.vireo.json.Json;
import dev.vireo.json.JsonException;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One registry's HTTP conversation: the scheme (HTTPS, or plain HTTP where allowed), and
 * authentication as the registry asks for it on {@code GET /v2/}: Basic credentials on
 * every request, or Bearer tokens fetched from the challenge's realm per repository scope.
 */
public final class Session implements AutoCloseable {
    private final HttpClient http;
    private final URI base;
    private final String user;
    private final String password;
    private final String registry;
    private volatile Challenge challenge;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    private Session(HttpClient http, URI base, String registry, String user, String password) {
        this.http = http;
        this.base = base;
        this.registry = registry;
        this.user = user;
        this.password = password;
    }

    /**
     * Connects: HTTPS first; plain HTTP when {@code plainHttp}, or as Docker does for a loopback
     * registry that does not speak TLS.
     */
    public static Session open(String registry, boolean plainHttp, boolean loopback, SSLContext tls, String user, String password)
            throws IOException {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30));
        if (tls != null) builder.sslContext(tls);
        HttpClient http = builder.build();
        if (!plainHttp) {
            Session secure = new Session(http, URI.create("https://" + registry), registry, user, password);
            try {
                secure.ping();
                return secure;
            } catch (IOException e) {
                if (!loopback || !(e instanceof javax.net.ssl.SSLException || e instanceof ConnectException || e.getCause() instanceof javax.net.ssl.SSLException)) {
                    throw e;
                }
            }
        }
        Session plain = new Session(http, URI.create("http://" + registry), registry, user, password);
        plain.ping();
        return plain;
    }

    public URI base() {
        return base;
    }

    public URI resolve(String location) {
        return base.resolve(location);
    }

    /** {@code GET /v2/}: learns the authentication the registry wants. */
    private void ping() throws IOException {
        HttpResponse<String> response = raw(HttpRequest.newBuilder(base.resolve("/v2/")).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 401) {
            challenge = Challenge.parse(response.headers().firstValue("WWW-Authenticate").orElse(null))
                    .orElseThrow(() -> new IOException(registry + " answered 401 without a WWW-Authenticate challenge"));
            if (!challenge.isBasic() && !challenge.isBearer()) throw new IOException(registry + " wants unsupported authentication " + challenge.scheme());
            if (challenge.isBasic() && user == null) throw new IOException(registry + " requires credentials (--creds USER:PASSWORD)");
            if (challenge.isBasic()) {
                HttpResponse<String> again = raw(HttpRequest.newBuilder(base.resolve("/v2/")).header("Authorization", basic()).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (again.statusCode() == 401) throw new IOException(registry + " refused the credentials for " + user);
            }
        } else if (response.statusCode() != 200) {
            throw new IOException(registry + " does not speak the distribution API (GET /v2/ answered " + response.statusCode() + ")");
        }
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The Authorization value for requests on {@code scope} (e.g. {@code repository:app:pull,push}), or null. */
    private String authorization(String scope, boolean refresh) throws IOException {
        Challenge current = challenge;
        if (current == null) return null;
        if (current.isBasic()) return basic();
        if (!refresh) {
            String token = tokens.get(scope);
            if (token != null) return token;
        }
        // Parallel transfers of one scope share one token: the first fetches it, the others wait.
        synchronized (tokens) {
            String token = tokens.get(scope);
            if (token != null && !refresh) return token;
            return fetchToken(current, scope);
        }
    }

    private String fetchToken(Challenge current, String scope) throws IOException {
        String realm = current.parameters().get("realm");
        if (realm == null) throw new IOException(registry + " sent a Bearer challenge without a realm");
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        String service = current.parameters().get("service");
        if (service != null) url.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8)).append('&');
        url.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString())).GET();
        if (user != null) request.header("Authorization", basic());
        HttpResponse<String> response = raw(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) throw new IOException("token service " + realm + " answered " + response.statusCode());
        Object body;
        try {
            body = Json.parse(response.body().getBytes(StandardCharsets.UTF_8), "token service " + realm + " answer");
        } catch (JsonException e) {
            throw new IOException(e.getMessage(), e);
        }
        Object token = Json.at(body, "token") != null ? Json.at(body, "token") : Json.at(body, "access_token");
        if (!(token instanceof String)) throw new IOException("token service " + realm + " sent no token");
        String value = "Bearer " + token;
        tokens.put(scope, value);
        return value;
    }

    /**
     * Sends a request built by {@code request} with the scope's credentials; a 401 (an expired
     * token) gets one fresh token and one more try, so the builder must be replayable.
     */
    public <T> HttpResponse<T> send(Supplier<HttpRequest.Builder> request, HttpResponse.BodyHandler<T> body, String scope) throws IOException {
        String authorization = authorization(scope, false);
        HttpRequest.Builder first = request.get();
        if (authorization != null) first.header("Authorization", authorization);
        HttpResponse<T> response = raw(first.build(), body);
        if (response.statusCode() != 401 || challenge == null || challenge.isBasic()) return response;
        closeQuietly(response);
        HttpRequest.Builder second = request.get();
        second.header("Authorization", authorization(scope, true));
        return raw(second.build(), body);
    }

    private <T> HttpResponse<T> raw(HttpRequest request, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return http.send(request, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted talking to " + registry);
        }
    }

    static void closeQuietly(HttpResponse<?> response) {
        if (response.body() instanceof java.io.InputStream in) {
            try {
                in.close();
            } catch (IOException e) {
                // nothing more to read anyway
            }
        }
    }

    /** The registry's error message from a spec error body, or the status. */
    public static String describe(HttpResponse<?> response, String body) {
        String detail = "HTTP " + response.statusCode();
        try {
            if (Json.at(Json.parse(body.getBytes(StandardCharsets.UTF_8), "error body"), "errors") instanceof List<?> errors
                    && !errors.isEmpty()) {
                detail = Json.at(errors.getFirst(), "code") + ": " + Json.at(errors.getFirst(), "message");
            }
        } catch (RuntimeException e) {
            // not a spec error body
        }
        return detail;
    }

    @Override
    public void close() {
        http.close();
    }
}
