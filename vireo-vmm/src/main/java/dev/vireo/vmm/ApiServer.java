package dev.vireo.vmm;

import dev.vireo.http.Body;
import dev.vireo.http.Handler;
import dev.vireo.http.HttpServer;
import dev.vireo.http.Request;
import dev.vireo.http.Response;
import dev.vireo.http.Router;
import dev.vireo.json.Json;
import dev.vireo.json.JsonException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A VM's control API: REST over a Unix socket, in Firecracker's style, on {@code vireo-http}
 * (one virtual thread per connection). Every request becomes one {@link VmmAction} for the
 * {@link VmControl}; the API never touches KVM itself.
 * <pre>
 *   GET   /vm                 {"state":"Running"}   (NotStarted, Running, Paused, Stopped)
 *   PATCH /vm                 {"state":"Paused"} or {"state":"Resumed"}            -> 204
 *   GET   /stats              the exit counters as JSON; with Accept: text/plain, as a table
 *   PUT   /snapshot/create    {"snapshot_path":"DIR"}   (the VM must be paused)    -> 204
 *   PUT   /actions            {"action_type":"Stop"}                               -> 204
 *   PUT   /migrate            {"destination":"HOST:PORT","mode":"precopy","downtime_ms":300,
 *                              "max_rounds":30,"compress":"zero,xbzrle,lz4","postcopy_bandwidth":0}
 *                             -> 200, NDJSON streamed: {"progress":{"phase":..,"done":..,"total":..}}
 *                                lines, then {"report":{...}} or {"error":{"outcome":..,"message":..}}
 * </pre>
 * Errors are {@code {"fault_message":"..."}}: 400 for a malformed request, 404/405 for an
 * unknown path or method, 409 when the VM's state does not allow the request or another
 * request that changes the VM is still running (they never overlap), 500 when it failed.
 */
public final class ApiServer implements AutoCloseable {
    private static final int BODY_LIMIT = 64 * 1024;
    /** How long closing waits for responses still being written (the one to a stop request). */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private final HttpServer server;

    private ApiServer(HttpServer server) {
        this.server = server;
    }

    /** Serves {@code vm} on a Unix socket at {@code socket}; a stale socket file is replaced, a live one refused. */
    public static ApiServer start(Path socket, VmControl vm) throws IOException {
        Handlers handlers = new Handlers(vm);
        Router router = new Router()
                .get("/vm", request -> json(200, "{\"state\":\"" + stateName(vm.state()) + "\"}"))
                .route("PATCH", "/vm", badRequests(handlers::patchVm))
                .get("/stats", handlers::stats)
                .route("PUT", "/snapshot/create", badRequests(handlers::createSnapshot))
                .route("PUT", "/actions", badRequests(handlers::action))
                .route("PUT", "/migrate", badRequests(handlers::migrate))
                .notFound(request -> fault(404, "no such resource: " + request.method() + " " + request.path()))
                .methodNotAllowed((request, allowed) -> fault(405, request.method() + " is not allowed on " + request.path()
                        + " (allowed: " + String.join(", ", allowed) + ")").header("Allow", String.join(", ", allowed)));
        return new ApiServer(HttpServer.start(UnixDomainSocketAddress.of(socket), router));
    }

    /** The state's name on the wire. */
    public static String stateName(VmState state) {
        return switch (state) {
            case CREATED -> "NotStarted";
            case RUNNING -> "Running";
            case PAUSED -> "Paused";
            case STOPPED -> "Stopped";
        };
    }

    /** Stops serving; a response still being written gets a moment to finish. */
    @Override
    public void close() {
        server.close(CLOSE_GRACE);
    }

    /** The requests that change the VM: one at a time, a second one meanwhile gets 409. */
    private static final class Handlers {
        private final VmControl vm;
        private final ReentrantLock busy = new ReentrantLock();
        private volatile String current = "";

        Handlers(VmControl vm) {
            this.vm = vm;
        }

        Response patchVm(Request request) throws IOException {
            String state = field(request, "state");
            return switch (state) {
                case "Paused" -> act(request, new VmmAction.Pause());
                case "Resumed" -> act(request, new VmmAction.Resume());
                default -> fault(400, "state must be \"Paused\" or \"Resumed\", not \"" + state + "\"");
            };
        }

        Response createSnapshot(Request request) throws IOException {
            String path = field(request, "snapshot_path");
            if (path.isEmpty()) return fault(400, "snapshot_path must name a directory");
            return act(request, new VmmAction.CreateSnapshot(Path.of(path)));
        }

        Response action(Request request) throws IOException {
            String type = field(request, "action_type");
            if (!type.equals("Stop")) return fault(400, "action_type must be \"Stop\", not \"" + type + "\"");
            return act(request, new VmmAction.Stop());
        }

        Response migrate(Request request) throws IOException {
            Object body = body(request, "destination");
            String destination = text(body, "destination");
            int colon = destination.lastIndexOf(':');
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(destination.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) return fault(400, "destination must be HOST:PORT, not \"" + destination + "\"");
            MigrationOptions options;
            try {
                options = MigrationOptions.of(MigrationMode.parse(text(body, "mode")))
                        .withDowntimeMillis(number(body, "downtime_ms", MigrationOptions.DEFAULT_DOWNTIME_MILLIS))
                        .withMaxRounds(Math.toIntExact(number(body, "max_rounds", MigrationOptions.DEFAULT_MAX_ROUNDS)))
                        .withPostcopyBandwidth(number(body, "postcopy_bandwidth", 0));
                if (Json.at(body, "compress") != null) options = options.withCompression(MigrationOptions.parseCompression(List.of(text(body, "compress"))));
            } catch (IllegalArgumentException e) {
                return fault(400, e.getMessage());
            }
            if (!busy.tryLock()) return fault(409, "another request is in progress (" + current + "); try again when it is done");
            current = "PUT /migrate";
            String host = destination.substring(0, colon);
            int to = port;
            MigrationOptions chosen = options;
            // Runs on this connection's thread after the head is written, so the lock's owner unlocks it.
            return Response.of(200).header("Content-Type", "application/x-ndjson").withBody(new Body.Streamed(-1, out -> {
                try {
                    MigrationReport report = vm.migrate(host, to, chosen, new ProgressLines(out));
                    line(out, "{\"report\":" + report.json() + "}");
                } catch (MigrationException e) {
                    StringBuilder error = new StringBuilder("{\"error\":{\"outcome\":\"")
                            .append(e.outcome().name().toLowerCase(Locale.ROOT)).append("\",\"message\":");
                    line(out, StatisticsReport.string(error, e.getMessage()).append("}}").toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    line(out, StatisticsReport.string(new StringBuilder("{\"error\":{\"outcome\":\"failed\",\"message\":"),
                            String.valueOf(e.getMessage())).append("}}").toString());
                } finally {
                    current = "";
                    busy.unlock();
                }
            }));
        }

        Response stats(Request request) {
            ExitStatistics statistics = vm.statistics();
            String accept = request.header("Accept");
            if (accept != null && accept.toLowerCase(Locale.ROOT).contains("text/plain")) {
                return Response.of(200, "text/plain; charset=utf-8", StatisticsReport.table(statistics).getBytes(StandardCharsets.UTF_8));
            }
            return json(200, StatisticsReport.json(statistics));
        }

        private Response act(Request request, VmmAction action) {
            if (!busy.tryLock()) return fault(409, "another request is in progress (" + current + "); try again when it is done");
            try {
                current = request.method() + " " + request.path();
                VmState before = vm.state();
                if (action instanceof VmmAction.Pause && before != VmState.RUNNING && before != VmState.PAUSED
                        || action instanceof VmmAction.Resume && before != VmState.PAUSED && before != VmState.RUNNING) {
                    return fault(409, "the VM is " + stateName(before) + ": it cannot be " + (action instanceof VmmAction.Pause ? "paused" : "resumed"));
                }
                vm.handle(action);
                return Response.of(204);
            } catch (IllegalStateException e) {
                return fault(409, e.getMessage());
            } catch (FileAlreadyExistsException | NoSuchFileException | IllegalArgumentException e) {
                return fault(400, e.getMessage());
            } catch (IOException e) {
                return fault(500, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fault(500, "interrupted while handling the request");
            } finally {
                current = "";
                busy.unlock();
            }
        }
    }

    /** A request body that is not what the endpoint takes: a 400 with this message. */
    private static final class BadRequest extends IOException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    private static Handler badRequests(Handler handler) {
        return request -> {
            try {
                return handler.handle(request);
            } catch (BadRequest e) {
                return fault(400, e.getMessage());
            }
        };
    }

    /** One string field of the request's JSON object; anything else is a {@link BadRequest}. */
    private static String field(Request request, String name) throws IOException {
        return text(body(request, name), name);
    }

    /** The request's JSON object, which must have {@code name}; anything else is a {@link BadRequest}. */
    private static Object body(Request request, String name) throws IOException {
        Object body;
        try {
            body = Json.parse(request.readBody(BODY_LIMIT), "the body");
        } catch (JsonException e) {
            throw new BadRequest(e.getMessage());
        }
        if (!(body instanceof Map<?, ?>)) throw new BadRequest("the body must be a JSON object with \"" + name + "\"");
        return body;
    }

    private static String text(Object body, String name) throws BadRequest {
        if (!(Json.at(body, name) instanceof String value)) throw new BadRequest("the body must have the string field \"" + name + "\"");
        return value;
    }

    /** A whole-number field, or {@code fallback} where the body has none. */
    private static long number(Object body, String name, long fallback) throws BadRequest {
        Object value = Json.at(body, name);
        if (value == null) return fallback;
        if (!(value instanceof Integer || value instanceof Long)) throw new BadRequest("\"" + name + "\" must be a whole number");
        return ((Number) value).longValue();
    }

    private static void line(OutputStream out, String json) throws IOException {
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Progress as NDJSON lines, one when the phase changes and at most every 200 ms within one. */
    private static final class ProgressLines implements MigrationProgress {
        private final OutputStream out;
        private String phase = "";
        private long last;

        ProgressLines(OutputStream out) {
            this.out = out;
        }

        @Override
        public void update(String phase, long done, long total) {
            long now = System.nanoTime();
            if (phase.equals(this.phase) && now - last < 200_000_000L && done != total) return;
            this.phase = phase;
            last = now;
            StringBuilder json = StatisticsReport.string(new StringBuilder("{\"progress\":{\"phase\":"), phase);
            try {
                line(out, json.append(",\"done\":").append(done).append(",\"total\":").append(total).append("}}").toString());
            } catch (IOException e) {
                // the client went away; the migration goes on and its result is still what counts
            }
        }
    }

    private static Response json(int status, String body) {
        return Response.of(status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    static Response fault(int status, String message) {
        StringBuilder body = StatisticsReport.string(new StringBuilder("{\"fault_message\":"), message == null ? "failed" : message).append('}');
        return json(status, body.toString());
    }
}
