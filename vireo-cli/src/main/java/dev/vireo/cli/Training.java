package dev.vireo.cli;

import dev.vireo.vmm.Migration;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run behind {@code vireo-cli/target/vireo.aot}, the JVM's AOT cache (JEP 483, 515)
 * that {@code ./vireo} starts with: the build runs this once with {@code -XX:AOTCacheOutput}, and
 * every class it loads and links, with the profiles of the methods it runs, is ready in later
 * starts. It drives the common paths of each command in one process, in a scratch directory,
 * as a user without KVM could: listing, importing, tagging, saving and loading images, writing a
 * runtime spec, running a container (as root, with Debian's static busybox), a migration's
 * stream and protocol (between two VMs without KVM), and the failures a first command often
 * meets. Not a user command.
 */
final class Training {
    private Training() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("vireo-training");
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(discard);
        System.setErr(discard);
        try {
            train(dir);
        } finally {
            System.setOut(out);
            System.setErr(err);
            delete(dir);
        }
    }

    private static void train(Path dir) throws Exception {
        String store = dir.resolve("store").toString();
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/etc"));
        Files.writeString(rootfs.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.writeString(dir.resolve("rootfs/bin/sh"), "#!/bin/sh\n");
        Path bundle = Files.createDirectories(dir.resolve("bundle"));

        vireo("version");
        vireo("help");
        vireo("images", "--root", store);
        vireo("image", "import-rootfs", "--root", store, "-q", "-t", "training:1", dir.resolve("rootfs").toString());
        vireo("image", "inspect", "--root", store, "training:1");
        vireo("image", "tag", "--root", store, "training:1", "training:2");
        vireo("image", "save", "--root", store, "-o", dir.resolve("image.tar").toString(), "training:1");
        vireo("image", "save", "--root", store, "--format", "oci", "-o", dir.resolve("oci.tar").toString(), "training:1");
        vireo("image", "load", "--root", store, "-q", "-i", dir.resolve("image.tar").toString(), "-t", "training:3");
        vireo("images", "--root", store);
        vireo("rmi", "--root", store, "training:2", "training:3");
        vireo("image", "prune", "--root", store);
        vireo("pull", "--layout", dir.resolve("layout").toString(), "127.0.0.1:1/training/none:1");
        vireo("registry", "gc", "--root", dir.resolve("registry").toString(), "--dry-run");
        vireo("runtime", "spec", "-b", bundle.toString());
        vireo("runtime", "--root", dir.resolve("run").toString(), "list");
        vireo("runtime", "--root", dir.resolve("run").toString(), "state", "none");
        Path busybox = Path.of("/bin/busybox");
        if (Files.isExecutable(busybox) && "root".equals(System.getProperty("user.name"))) {
            Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
            Files.copy(busybox, bin.resolve("busybox"));
            Files.createSymbolicLink(bin.resolve("true"), Path.of("busybox"));
            // The user and group files a real image has: the run path reads both (a class not in
            // the cache is read from its jar, which is opened for it: milliseconds).
            Path etc = Files.createDirectories(bundle.resolve("rootfs/etc"));
            Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            Files.writeString(etc.resolve("group"), "root:x:0:\n");
            Files.writeString(bundle.resolve("config.json"), Files.readString(bundle.resolve("config.json"))
                    .replace("\"sh\"", "\"true\""));
            vireo("runtime", "--root", dir.resolve("run").toString(), "run", "--bundle", bundle.toString(), "training");
            // Containers from an image (not -d: its monitor would be a second JVM writing this cache).
            vireo("image", "import-rootfs", "--root", store, "-q", "-t", "training:busybox", bundle.resolve("rootfs").toString());
            vireo("run", "--rm", "--root", store, "training:busybox", "true");
            vireo("run", "--root", store, "--name", "training", "-e", "A=1", "training:busybox", "true");
            vireo("ps", "-a", "--root", store);
            vireo("logs", "--root", store, "training");
            vireo("commit", "--root", store, "training", "training:committed");
            vireo("rm", "--root", store, "training");
            vireo("run", "--rm", "--root", store, "training:none", "true");
            build(dir, store, busybox);
        }
        Migration.rehearse(); // the stream and protocol code of vm migrate and vm receive
        vireo("vm", "run", "--kernel", dir.resolve("rootfs/bin/sh").toString());
        vireo("vm", "run", "--help");
        vireo("image", "--unknown");
    }

    /** {@code vireo build}: a cold build with every kind of step, the same build from the cache, a bad Dockerfile. */
    private static void build(Path dir, String store, Path busybox) throws Exception {
        Path base = Files.createDirectories(dir.resolve("base/bin"));
        Files.copy(busybox, base.resolve("busybox"));
        Files.createSymbolicLink(base.resolve("sh"), Path.of("busybox"));
        vireo("image", "import-rootfs", "--root", store, "-q", "-t", "training-base:1", dir.resolve("base").toString());
        Path context = Files.createDirectories(dir.resolve("context/src"));
        Files.writeString(context.resolve("a.txt"), "training\n");
        Files.writeString(context.resolve("../.dockerignore"), "*.tmp\n!keep.tmp\n**/cache\n");
        Files.writeString(context.resolve("../Dockerfile"), """
                ARG BASE=training-base:1
                FROM $BASE AS first
                ARG VERSION=1
                ENV APP=/app PATH=/bin
                WORKDIR $APP
                COPY src/ ./src/
                RUN echo "built $VERSION" > built.txt
                FROM $BASE
                COPY --from=first --chown=0:0 --chmod=644 /app/ /app/
                LABEL training=yes
                EXPOSE 8080
                USER 0:0
                HEALTHCHECK --interval=30s CMD ["true"]
                ENTRYPOINT ["sh", "-c"]
                CMD ["cat /app/built.txt"]
                """);
        String ctx = dir.resolve("context").toString();
        vireo("build", "--root", store, "-t", "training-built:1", "--build-arg", "VERSION=2", ctx);
        vireo("build", "--root", store, "-t", "training-built:1", "--build-arg", "VERSION=2", ctx);
        Files.writeString(context.resolve("../Dockerfile"), "FROM training-base:1\nCOPY only-one\n");
        vireo("build", "--root", store, ctx);
        vireo("builder", "prune", "--root", store);
    }

    private static void vireo(String... argv) throws Exception {
        Main.run(argv);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(path);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
