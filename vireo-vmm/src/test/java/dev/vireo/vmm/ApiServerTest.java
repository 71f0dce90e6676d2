package dev.vireo.vmm;

import dev.vireo.http.ClientResponse;
import dev.vireo.http.Headers;
import dev.vireo.http.SocketHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control API against a fake VM: every endpoint, its errors, and one changing request at a time. */
class ApiServerTest {
    /** A VM that records the actions it is sent and follows the state machine; snapshots can be held up. */
    static final class FakeVm implements VmControl {
        final List<VmmAction> actions = new CopyOnWriteArrayList<>();
        final CountDownLatch snapshotStarted = new CountDownLatch(1), releaseSnapshot = new CountDownLatch(1);
        volatile boolean holdSnapshots;
        volatile VmState state = VmState.RUNNING;

        @Override
        public VmState handle(VmmAction action) throws InterruptedException, IOException {
            actions.add(action);
            switch (action) {
                case VmmAction.Pause _ -> state = VmState.PAUSED;
                case VmmAction.Resume _ -> state = VmState.RUNNING;
                case VmmAction.Stop _ -> state = VmState.STOPPED;
                case VmmAction.CreateSnapshot(Path dir) -> {
                    if (state != VmState.PAUSED) throw new IllegalStateException("the VM is running, not paused: pause it first");
                    if (Files.exists(dir)) throw new FileAlreadyExistsException(dir + " already exists");
                    if (holdSnapshots) {
                        snapshotStarted.countDown();
                        releaseSnapshot.await();
                    }
                    Files.createDirectory(dir);
                }
            }
            return state;
        }

        @Override
        public VmState state() {
            return state;
        }

        @Override
        public ExitStatistics statistics() {
            return new ExitStatistics(3, 300, 9000, 0, List.of(new ExitStatistics.Reason("IO", 3, 300)), List.of(), List.of());
        }

        @Override
        public MigrationReport migrate(String host, int port, MigrationOptions options, MigrationProgress progress)
                throws MigrationException {
            progress.update("round 1", 4096, 8192);
            throw new MigrationException(MigrationException.Outcome.REFUSED, "the destination refused the VM: too big");
        }
    }

    record Reply(int status, String body) {}

    static Reply send(Path socket, String method, String target, String body) throws IOException {
        return send(socket, method, target, body, new Headers());
    }

    static Reply send(Path socket, String method, String target, String body, Headers headers) throws IOException {
        SocketHttpClient client = SocketHttpClient.unix(socket);
        try (ClientResponse r = body == null ? client.send(method, target, headers)
                : client.send(method, target, headers.set("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8))) {
            return new Reply(r.status(), r.bodyText());
        }
    }

    @Test
    void pausesResumesSnapshotsAndStops(@TempDir Path tmp) throws Exception {
        FakeVm vm = new FakeVm();
        Path socket = tmp.resolve("api.sock");
        try (ApiServer api = ApiServer.start(socket, vm)) {
            assertEquals(new Reply(200, "{\"state\":\"Running\"}"), send(socket, "GET", "/vm", null));
            assertEquals(204, send(socket, "PATCH", "/vm", "{\"state\":\"Paused\"}").status());
            assertEquals(new Reply(200, "{\"state\":\"Paused\"}"), send(socket, "GET", "/vm", null));
            Path snap = tmp.resolve("snap");
            assertEquals(204, send(socket, "PUT", "/snapshot/create", "{\"snapshot_path\":\"" + snap + "\"}").status());
            assertTrue(Files.isDirectory(snap));
            assertEquals(new Reply(400, "{\"fault_message\":\"" + snap + " already exists\"}"),
                    send(socket, "PUT", "/snapshot/create", "{\"snapshot_path\":\"" + snap + "\"}"));
            assertEquals(204, send(socket, "PATCH", "/vm", "{\"state\":\"Resumed\"}").status());
            assertEquals(new Reply(409, "{\"fault_message\":\"the VM is running, not paused: pause it first\"}"),
                    send(socket, "PUT", "/snapshot/create", "{\"snapshot_path\":\"" + tmp.resolve("other") + "\"}"));
            assertEquals(204, send(socket, "PUT", "/actions", "{\"action_type\":\"Stop\"}").status());
            assertEquals(new Reply(409, "{\"fault_message\":\"the VM is Stopped: it cannot be paused\"}"),
                    send(socket, "PATCH", "/vm", "{\"state\":\"Paused\"}"));
            assertEquals(List.of(new VmmAction.Pause(), new VmmAction.CreateSnapshot(snap), new VmmAction.CreateSnapshot(snap),
                    new VmmAction.Resume(), new VmmAction.CreateSnapshot(tmp.resolve("other")), new VmmAction.Stop()), vm.actions);
        }
        assertTrue(Files.notExists(socket), "closing removes the socket");
    }

    @Test
    void theClientTurnsFaultsIntoExceptionsByStatus(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("api.sock");
        FakeVm vm = new FakeVm();
        try (ApiServer api = ApiServer.start(socket, vm)) {
            ApiClient client = new ApiClient(socket);
            assertEquals("Running", client.state());
            IOException conflict = assertThrows(IOException.class, () -> client.createSnapshot(tmp.resolve("snap")));
            assertEquals("the VM is running, not paused: pause it first", conflict.getMessage());
            client.pause();
            client.createSnapshot(tmp.resolve("snap"));
            IllegalArgumentException exists = assertThrows(IllegalArgumentException.class, () -> client.createSnapshot(tmp.resolve("snap")));
            assertEquals(tmp.resolve("snap") + " already exists", exists.getMessage());
            assertEquals(StatisticsReport.table(vm.statistics()), client.statistics(true));
            client.stop();
            assertEquals("Stopped", client.state());
        }
        IOException gone = assertThrows(IOException.class, () -> new ApiClient(socket).pause());
        assertEquals("no VM API at " + socket + ": no such socket", gone.getMessage());
    }

    @Test
    void migrateStreamsProgressThenTheOutcomeAndRefusesBadOptions(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("api.sock");
        try (ApiServer api = ApiServer.start(socket, new FakeVm())) {
            ApiClient client = new ApiClient(socket);
            List<String> phases = new CopyOnWriteArrayList<>();
            MigrationException refused = assertThrows(MigrationException.class, () -> client.migrate("127.0.0.1:9",
                    MigrationOptions.of(MigrationMode.PRECOPY), (phase, done, total) -> phases.add(phase + " " + done + "/" + total)));
            assertEquals(MigrationException.Outcome.REFUSED, refused.outcome());
            assertEquals("the destination refused the VM: too big", refused.getMessage());
            assertEquals(List.of("round 1 4096/8192"), phases);
            assertEquals(new Reply(400, "{\"fault_message\":\"unknown migration mode 'sideways' (cold, nonlive, precopy, postcopy)\"}"),
                    send(socket, "PUT", "/migrate", "{\"destination\":\"h:1\",\"mode\":\"sideways\"}"));
            assertEquals(new Reply(400, "{\"fault_message\":\"destination must be HOST:PORT, not \\\"nowhere\\\"\"}"),
                    send(socket, "PUT", "/migrate", "{\"destination\":\"nowhere\",\"mode\":\"precopy\"}"));
        }
    }

    @Test
    void statsComeAsJsonOrAsTheTable(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("api.sock");
        FakeVm vm = new FakeVm();
        try (ApiServer api = ApiServer.start(socket, vm)) {
            Reply json = send(socket, "GET", "/stats", null);
            assertEquals(new Reply(200, StatisticsReport.json(vm.statistics())), json);
            Reply table = send(socket, "GET", "/stats", null, Headers.of("Accept", "text/plain"));
            assertEquals(new Reply(200, StatisticsReport.table(vm.statistics())), table);
        }
    }

    @Test
    void malformedRequestsAreFaultsInJson(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("api.sock");
        FakeVm vm = new FakeVm();
        try (ApiServer api = ApiServer.start(socket, vm)) {
            assertEquals(400, send(socket, "PATCH", "/vm", "{\"state\":").status());
            assertTrue(send(socket, "PATCH", "/vm", "{\"state\":").body().startsWith("{\"fault_message\":\"the body: not valid JSON"));
            assertEquals(new Reply(400, "{\"fault_message\":\"state must be \\\"Paused\\\" or \\\"Resumed\\\", not \\\"Sleeping\\\"\"}"),
                    send(socket, "PATCH", "/vm", "{\"state\":\"Sleeping\"}"));
            assertEquals(new Reply(400, "{\"fault_message\":\"the body must have the string field \\\"snapshot_path\\\"\"}"),
                    send(socket, "PUT", "/snapshot/create", "{}"));
            assertEquals(new Reply(400, "{\"fault_message\":\"action_type must be \\\"Stop\\\", not \\\"Reboot\\\"\"}"),
                    send(socket, "PUT", "/actions", "{\"action_type\":\"Reboot\"}"));
            assertEquals(new Reply(404, "{\"fault_message\":\"no such resource: GET /nothing\"}"), send(socket, "GET", "/nothing", null));
            assertEquals(405, send(socket, "DELETE", "/vm", null).status());
            assertEquals(List.of(), vm.actions, "no bad request reached the VM");
        }
    }

    @Test
    void aSecondChangeWhileOneRunsGetsConflictAndReadsAreServed(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("api.sock");
        FakeVm vm = new FakeVm();
        vm.state = VmState.PAUSED;
        vm.holdSnapshots = true;
        try (ApiServer api = ApiServer.start(socket, vm)) {
            Path snap = tmp.resolve("snap");
            CompletableFuture<Reply> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return send(socket, "PUT", "/snapshot/create", "{\"snapshot_path\":\"" + snap + "\"}");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            vm.snapshotStarted.await();
            assertEquals(new Reply(409, "{\"fault_message\":\"another request is in progress (PUT /snapshot/create); try again when it is done\"}"),
                    send(socket, "PATCH", "/vm", "{\"state\":\"Resumed\"}"));
            assertEquals(new Reply(200, "{\"state\":\"Paused\"}"), send(socket, "GET", "/vm", null));
            vm.releaseSnapshot.countDown();
            assertEquals(204, first.get().status());
            assertEquals(204, send(socket, "PATCH", "/vm", "{\"state\":\"Resumed\"}").status());
            assertEquals(List.of(new VmmAction.CreateSnapshot(snap), new VmmAction.Resume()), vm.actions);
        }
    }
}
