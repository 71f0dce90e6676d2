package dev.vireo.vmm;

import dev.vireo.http.ClientResponse;
import dev.vireo.http.Headers;
import dev.vireo.http.SocketHttpClient;
import dev.vireo.json.Json;
import dev.vireo.json.JsonException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The client side of {@link ApiServer}: one method per request. A fault the server answers is
 * thrown with its message: a 400 (the request was bad input) as an {@link IllegalArgumentException},
 * any other as an {@link IOException}; so is a socket with nobody behind it.
 */
public final class ApiClient {
    private final Path socket;
    private final SocketHttpClient http;

    public ApiClient(Path socket) {
        this.socket = socket;
        this.http = SocketHttpClient.unix(socket);
    }

    public void pause() throws IOException {
        send("PATCH", "/vm", object("state", "Paused"));
    }

    public void resume() throws IOException {
        send("PATCH", "/vm", object("state", "Resumed"));
    }

    public void stop() throws IOException {
        send("PUT", "/actions", object("action_type", "Stop"));
    }

    /** Writes a snapshot of the paused VM to {@code dir}, made absolute here: the server's working directory is not the caller's. */
    public void createSnapshot(Path dir) throws IOException {
        send("PUT", "/snapshot/create", object("snapshot_path", dir.toAbsolutePath().toString()));
    }

    /**
     * Migrates the VM ({@code PUT /migrate}): progress goes to {@code progress} as it comes, the
     * report is returned; a failed migration is a {@link MigrationException} with where the VM is.
     */
    public MigrationReport migrate(String destination, MigrationOptions options, MigrationProgress progress)
            throws IOException, MigrationException {
        StringBuilder body = StatisticsReport.string(new StringBuilder("{\"destination\":"), destination);
        StatisticsReport.string(body.append(",\"mode\":"), options.mode().label());
        body.append(",\"downtime_ms\":").append(options.downtimeMillis()).append(",\"max_rounds\":").append(options.maxRounds())
                .append(",\"postcopy_bandwidth\":").append(options.postcopyBandwidth());
        String compress = String.join(",", options.compression().stream().sorted().map(PageEncoding::label).toList());
        StatisticsReport.string(body.append(",\"compress\":"), compress.isEmpty() ? "none" : compress).append('}');
        if (!Files.exists(socket)) throw new IOException("no VM API at " + socket + ": no such socket");
        ClientResponse response;
        try {
            response = http.send("PUT", "/migrate", new Headers().set("Content-Type", "application/json"),
                    body.toString().getBytes(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new IOException("no VM API at " + socket + ": nothing listens there (the VM has ended)");
        }
        try (response) {
            if (response.status() / 100 != 2) {
                String message = fault(response.bodyText(), response.status());
                if (response.status() == 400) throw new IllegalArgumentException(message);
                throw new IOException(message);
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                Object node = Json.parse(line.getBytes(StandardCharsets.UTF_8), "the migration's progress");
                if (Json.at(node, "progress") instanceof Map<?, ?> p) {
                    progress.update(String.valueOf(p.get("phase")), number(p.get("done")), number(p.get("total")));
                } else if (Json.at(node, "report") instanceof Map<?, ?> report) {
                    return MigrationReport.fromJson(report);
                } else if (Json.at(node, "error") instanceof Map<?, ?> e) {
                    MigrationException.Outcome outcome = switch (String.valueOf(e.get("outcome"))) {
                        case "refused" -> MigrationException.Outcome.REFUSED;
                        case "lost_at_destination" -> MigrationException.Outcome.LOST_AT_DESTINATION;
                        case "guest_ended" -> MigrationException.Outcome.GUEST_ENDED;
                        default -> MigrationException.Outcome.SOURCE_RUNNING;
                    };
                    throw new MigrationException(outcome, String.valueOf(e.get("message")));
                }
            }
            throw new IOException("the VM's process ended the migration's response early (did it die?)");
        }
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }

    /** The VM's state as the API names it ({@link ApiServer#stateName}). */
    public String state() throws IOException {
        String body = send("GET", "/vm", null);
        try {
            return Json.at(Json.parse(body.getBytes(StandardCharsets.UTF_8), "GET /vm"), "state") instanceof String state ? state : "";
        } catch (JsonException e) {
            throw new IOException("the VM API at " + socket + " answered GET /vm with something other than JSON");
        }
    }

    /** The exit counters: as {@link StatisticsReport#json} writes them, or its table. */
    public String statistics(boolean table) throws IOException {
        return send("GET", "/stats", null, table ? Headers.of("Accept", "text/plain") : new Headers());
    }

    private String send(String method, String target, String json) throws IOException {
        return send(method, target, json, new Headers());
    }

    private String send(String method, String target, String json, Headers headers) throws IOException {
        if (!Files.exists(socket)) throw new IOException("no VM API at " + socket + ": no such socket");
        ClientResponse response;
        try {
            response = json == null ? http.send(method, target, headers)
                    : http.send(method, target, headers.set("Content-Type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new IOException("no VM API at " + socket + ": nothing listens there (the VM has ended)");
        } catch (SocketException e) {
            if (!Files.exists(socket)) throw new IOException("no VM API at " + socket + ": no such socket (the VM has ended)");
            throw new IOException("the VM API at " + socket + " failed: " + e.getMessage());
        }
        try (response) {
            String body = response.bodyText();
            if (response.status() / 100 == 2) return body;
            String message = fault(body, response.status());
            if (response.status() == 400) throw new IllegalArgumentException(message);
            throw new IOException(message);
        }
    }

    private static String fault(String body, int status) {
        try {
            if (Json.at(Json.parse(body.getBytes(StandardCharsets.UTF_8), "the fault"), "fault_message") instanceof String fault) return fault;
        } catch (JsonException e) {
            // not a fault object: report the status
        }
        return "the VM API answered " + status;
    }

    private static String object(String field, String value) {
        return StatisticsReport.string(StatisticsReport.string(new StringBuilder("{"), field).append(':'), value).append('}').toString();
    }
}
