package dev.vireo.cli;

import dev.vireo.http.Tls;
import dev.vireo.image.ImageStore;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.ImageRef;
import dev.vireo.registry.DockerCredentials;
import dev.vireo.registry.LocalContent;
import dev.vireo.registry.OciLayout;
import dev.vireo.registry.RegistryClient;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code vireo push NAME[:TAG] [REGISTRY/]REPO[:TAG]} and {@code vireo pull REGISTRY/REPO[:TAG|@DIGEST]}:
 * images between the local image store (or an OCI image layout, {@code --layout DIR}) and any
 * registry speaking the distribution API.
 */
final class TransferCommand implements Command {
    private final boolean push;

    TransferCommand(boolean push) {
        this.push = push;
    }

    @Override
    public String summary() {
        return push ? "push an image to a registry (NAME[:TAG] [REGISTRY/]REPO[:TAG])"
                : "pull an image from a registry (REGISTRY/REPO[:TAG|@DIGEST])";
    }

    @Override
    public int run(List<String> argv) throws Exception {
        Args args = Args.spec(push ? "push" : "pull").option("--root").option("--layout").option("--creds").option("--tls-ca")
                .option("--parallel").option("--mount-from").flag("--plain-http").flag("--quiet", "-q").parse(argv);
        if (args.value("--layout").isPresent() && args.value("--root").isPresent()) {
            throw new UsageException("--layout and --root name two different local sides; give one");
        }
        ImageStore store = args.value("--layout").isPresent() ? null
                : ImageStore.open(args.value("--root").map(Path::of).orElseGet(ImageStore::defaultRoot));
        LocalContent local = store != null ? new StoreContent(store) : OciLayout.open(Path.of(args.required("--layout")));
        try (ImageStore.Lease _ = store != null ? store.lease() : () -> {}) {
            return transfer(args, local);
        }
    }

    private int transfer(Args args, LocalContent local) throws Exception {
        ImageRef remote = ImageRef.parse(args.positional(push ? 1 : 0, push ? "destination [REGISTRY/]REPO[:TAG]" : "REGISTRY/REPO[:TAG]"));
        if (args.positionals().size() > (push ? 2 : 1)) throw new UsageException("too many arguments");
        RegistryClient.Options options = RegistryClient.Options.defaults().withPlainHttp(args.flag("--plain-http"));
        if (args.value("--parallel").isPresent()) {
            try {
                options = options.withParallel(Integer.parseInt(args.required("--parallel")));
            } catch (NumberFormatException e) {
                throw new UsageException("--parallel wants a number");
            }
        }
        if (args.value("--tls-ca").isPresent()) options = options.withTls(Tls.trusting(Path.of(args.required("--tls-ca"))));
        Optional<String[]> credentials = args.value("--creds").map(TransferCommand::splitCredentials)
                .or(() -> DockerCredentials.lookup(remote.domain()));
        if (credentials.isPresent()) options = options.withCredentials(credentials.get()[0], credentials.get()[1]);
        Descriptor manifest = null;
        if (push) {
            // the local image first: a wrong name is bad input, whether or not the registry answers
            String name = args.positional(0, "local image NAME[:TAG]");
            manifest = local.lookup(name).or(() -> lookupQuietly(local, name + ":latest"))
                    .orElseThrow(() -> new IllegalArgumentException("no local image named " + name));
        }
        try (RegistryClient client = RegistryClient.connect(remote.domain(), options);
             TransferDisplay display = new TransferDisplay(System.out, push)) {
            var progress = args.flag("--quiet") ? dev.vireo.registry.TransferProgress.NONE : display;
            if (push) {
                client.push(local, manifest, remote.path(), remote.tag(), args.value("--mount-from").orElse(null), progress);
                display.close();
                System.out.println((remote.tag() != null ? remote.tag() : "pushed") + ": digest: " + manifest.digest() + " size: " + manifest.size());
            } else {
                Descriptor pulled = client.pull(remote.path(), remote.reference(), local, progress);
                local.tag(remote.toString(), pulled);
                display.close();
                System.out.println("Digest: " + pulled.digest());
                System.out.println("Pulled " + remote);
            }
        }
        return 0;
    }

    private static Optional<Descriptor> lookupQuietly(LocalContent local, String name) {
        try {
            return local.lookup(name);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static String[] splitCredentials(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) throw new UsageException("--creds wants USER:PASSWORD");
        return new String[] {text.substring(0, colon), text.substring(colon + 1)};
    }
}
