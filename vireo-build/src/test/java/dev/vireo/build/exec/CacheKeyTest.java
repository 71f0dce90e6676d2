package dev.vireo.build.exec;

import dev.vireo.build.cache.BuildCache;
import dev.vireo.build.context.IgnorePatterns;
import dev.vireo.build.context.SourceTree;
import dev.vireo.build.dockerfile.Dockerfile;
import dev.vireo.build.dockerfile.DockerfileParser;
import dev.vireo.build.dockerfile.Instruction;
import dev.vireo.oci.Digest;
import dev.vireo.image.Image;
import dev.vireo.image.ImageConfig;
import dev.vireo.image.ImageStore;
import dev.vireo.image.Layer;
import dev.vireo.image.Progress;
import dev.vireo.runtime.Stdio;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a step's cache key depends on, and what it must not depend on. */
class CacheKeyTest {
    private static final Digest PARENT = Digest.sha256("parent".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private static Dockerfile parse(String text) {
        return DockerfileParser.parse("Dockerfile", text.getBytes(StandardCharsets.UTF_8));
    }

    /** The key text of the last instruction of a one-stage Dockerfile, after its ARGs with these --build-arg values. */
    private static String runKey(String dockerfile, Map<String, String> buildArgs, List<String> imageEnv) {
        Dockerfile d = parse(dockerfile);
        Scope scope = new Scope(new BuildArgs(buildArgs), Map.of());
        scope.environment(imageEnv);
        List<Instruction> body = d.stages().getFirst().instructions();
        for (Instruction i : body) if (i instanceof Instruction.Arg arg) scope.declare(arg, d.lexer());
        ConfigEditor config = new ConfigEditor(ImageConfig.Container.empty().withEnv(imageEnv));
        return RunStep.evaluate((Instruction.Run) body.getLast(), ImageConfig.scratch(), config, scope, null, Stdio.nothing(),
                "STEP").key();
    }

    @Test
    void keyHashesTheParentAndTheStep() {
        String key = BuildCache.key(PARENT, "RUN [\"true\"]");
        assertEquals(key, BuildCache.key(PARENT, "RUN [\"true\"]"));
        assertNotEquals(key, BuildCache.key(Digest.sha256(new byte[] {1}), "RUN [\"true\"]"));
        assertNotEquals(key, BuildCache.key(PARENT, "RUN [\"false\"]"));
        assertTrue(key.matches("[0-9a-f]{64}"), "a key is a valid GC root name");
    }

    @Test
    void runKeyHoldsTheBuildArgValuesItSeesAndOnlyThose() {
        String file = "FROM x\nARG VERSION\nRUN echo hello\n";
        String one = runKey(file, Map.of("VERSION", "1"), List.of());
        String two = runKey(file, Map.of("VERSION", "2"), List.of());
        assertNotEquals(one, two, "a declared ARG is in RUN's environment, so its value is part of the key");
        assertTrue(one.contains("|1 VERSION=1"), one);
        String undeclared = "FROM x\nRUN echo hello\n";
        assertEquals(runKey(undeclared, Map.of("VERSION", "1"), List.of()), runKey(undeclared, Map.of("VERSION", "2"), List.of()),
                "a --build-arg no ARG declares does not reach the step");
        assertEquals(runKey(undeclared, Map.of("HTTP_PROXY", "http://a"), List.of()),
                runKey(undeclared, Map.of("HTTP_PROXY", "http://b"), List.of()), "proxy variables stay out of the cache");
        assertEquals(runKey("FROM x\nARG V=default\nRUN true\n", Map.of(), List.of()),
                runKey("FROM x\nARG V\nRUN true\n", Map.of("V", "default"), List.of()), "the value counts, not where it came from");
    }

    @Test
    void shellFormUsesTheStageShellAndTheNetworkModeCounts() {
        String plain = runKey("FROM x\nRUN echo hi\n", Map.of(), List.of());
        assertTrue(plain.contains("[\"/bin/sh\",\"-c\",\"echo hi\"]"), plain);
        assertNotEquals(plain, runKey("FROM x\nRUN --network=none echo hi\n", Map.of(), List.of()));
        assertNotEquals(plain, runKey("FROM x\nRUN [\"echo\", \"hi\"]\n", Map.of(), List.of()));
    }

    @Test
    void heredocRunIsItsScriptUnderTheShell() {
        String single = runKey("FROM x\nRUN <<EOF\necho one\necho two\nEOF\n", Map.of(), List.of());
        assertTrue(single.contains("[\"/bin/sh\",\"-c\",\"echo one\\necho two\\n\"]"), single);
        String inline = runKey("FROM x\nRUN cat <<EOF > /f\nbody\nEOF\n", Map.of(), List.of());
        assertTrue(inline.contains("\"cat <<EOF > /f\\nbody\\nEOF\""), inline);
    }

    @Test
    void severalSourcesNeedADirectoryDestination() throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("multi"));
        Files.writeString(ctx.resolve("a.json"), "{}");
        Files.writeString(ctx.resolve("b.json"), "{}");
        CopyStep.Source source = new CopyStep.Source(SourceTree.of(ctx, IgnorePatterns.NONE), "context", true);
        for (String dest : List.of(".", "/app/", "./")) {
            Dockerfile d = parse("FROM x\nCOPY a.json b.json " + dest + "\n");
            CopyStep.evaluate((Instruction.Copy) d.stages().getFirst().instructions().getFirst(),
                    new ConfigEditor(ImageConfig.Container.empty()), d.lexer(), n -> null, source, null);
        }
        Dockerfile bad = parse("FROM x\nCOPY *.json /app\n");
        dev.vireo.build.DockerfileException e = org.junit.jupiter.api.Assertions.assertThrows(dev.vireo.build.DockerfileException.class,
                () -> CopyStep.evaluate((Instruction.Copy) bad.stages().getFirst().instructions().getFirst(),
                        new ConfigEditor(ImageConfig.Container.empty()), bad.lexer(), n -> null, source, null));
        assertTrue(e.getMessage().startsWith("Dockerfile:2: COPY: when using COPY with more than one source file"), e.getMessage());
    }

    @Test
    void metadataKeysAreTheInstructionAfterSubstitution() {
        Dockerfile d = parse("FROM x\nENV A=$HOME/bin B=\"two words\"\n");
        ConfigEditor config = new ConfigEditor(ImageConfig.Container.empty().withEnv(List.of("HOME=/root")));
        Step env = Metadata.evaluate(d.stages().getFirst().instructions().getFirst(),
                new Metadata.Input(d.lexer(), Map.of("HOME", "/root")::get, config, false));
        assertEquals("ENV A=/root/bin B=two words", env.key());
        assertEquals(List.of("HOME=/root", "A=/root/bin", "B=two words"), env.config().env);
        assertTrue(env.createdBy().startsWith("/bin/sh -c #(nop) ENV"), env.createdBy());
    }

    @Test
    void copyKeyFollowsContentModeAndOwnerNotTimes() throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("app.sh"), "echo one");
        Dockerfile d = parse("FROM x\nCOPY app.sh /usr/bin/\n");
        Instruction.Copy copy = (Instruction.Copy) d.stages().getFirst().instructions().getFirst();
        CopyStep.Source source = new CopyStep.Source(SourceTree.of(ctx, IgnorePatterns.NONE), "context", true);
        java.util.function.Supplier<String> key = () -> {
            try {
                return CopyStep.evaluate(copy, new ConfigEditor(ImageConfig.Container.empty()), d.lexer(), n -> null, source, null).key();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        String first = key.get();
        Files.setLastModifiedTime(ctx.resolve("app.sh"), FileTime.fromMillis(86_400_000L));
        assertEquals(first, key.get(), "touching a file does not miss the cache");
        Files.setPosixFilePermissions(ctx.resolve("app.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        String executable = key.get();
        assertNotEquals(first, executable, "a mode change does");
        Files.writeString(ctx.resolve("app.sh"), "echo two");
        assertNotEquals(executable, key.get(), "a content change does");
        Files.writeString(ctx.resolve("unrelated.txt"), "x");
        assertEquals(key.get(), key.get());
    }

    @Test
    void lookupRefusesAnEntryWhoseContentIsIncomplete() throws IOException {
        boolean isRoot = "root".equals(System.getProperty("user.name"));
        if (!isRoot) System.err.println("skipping: unpacking layers needs root");
        org.junit.jupiter.api.Assumptions.assumeTrue(isRoot, "needs root");
        ImageStore store = ImageStore.open(dir.resolve("root"));
        Path content = Files.createDirectories(dir.resolve("layer"));
        Files.writeString(content.resolve("f"), "cached");
        Layer layer = store.commitLayer(null, content, false, Progress.NONE);
        Image image = store.commit(ImageConfig.scratch().withLayer(layer.diffId(),
                new ImageConfig.History(null, "step", null, null, null)), List.of(layer));
        BuildCache cache = new BuildCache(store);
        String key = BuildCache.key(PARENT, "COPY f /");
        cache.record(key, image);
        assertEquals(image.id(), cache.lookup(key).orElseThrow().id());
        Files.delete(store.blobPath(layer.blob().digest()));
        assertTrue(cache.lookup(key).isEmpty(), "an entry missing a layer blob is a miss, never half an image");
        assertTrue(cache.lookup(BuildCache.key(PARENT, "other")).isEmpty());
    }
}
