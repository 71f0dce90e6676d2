package dev.vireo.image;

import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Platform;

import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Digest;
import dev.vireo.oci.ImageRef;
import dev.vireo.oci.MediaTypes;

import dev.vireo.image.layer.Compression;
import dev.vireo.image.store.BlobStore;
import dev.vireo.image.store.LayerCommitter;
import dev.vireo.image.store.NameIndex;
import dev.vireo.image.store.RootfsStore;
import dev.vireo.image.store.Snapshots;
import dev.vireo.image.store.StoreLock;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The local image store: an OCI image layout ({@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/}) under {@code <root>/image}, plus layer snapshots ({@code snapshots/},
 * {@code l/}) and container root filesystems ({@code rootfs/}).
 *
 * <p>Consistency: every blob, snapshot and index change becomes visible by one atomic rename,
 * so a command killed at any point leaves only unreferenced content and files in {@code tmp/}.
 * Commands that add content hold a {@link #lease()} (a shared lock) from their first write to
 * their last name change; {@link #prune()} takes the lock exclusively, so it never deletes
 * what a running command has written but not yet named. Content is added bottom up (layers,
 * config, manifest, then the name), so a name never points at something incomplete.
 *
 * <p>Garbage collection keeps what names, container root filesystems and {@link #roots GC roots}
 * (under {@code roots/<owner>/}, the build cache's) reach; everything else goes.
 */
public final class ImageStore {
    /** Environment variable naming the state root; {@code --root} overrides it. */
    public static final String ROOT_ENV = "VIREO_STORE_ROOT";
    public static final Path DEFAULT_ROOT = Path.of("/var/lib/vireo");
    /** Manifests and configs are small; anything larger is refused rather than read into memory. */
    public static final long MAX_DOCUMENT = 4 << 20;

    private final Path dir;
    private final BlobStore blobs;
    private final NameIndex names;
    private final Snapshots snapshots;
    private final RootfsStore rootfs;
    private final StoreLock lock;
    private final Path roots;

    private ImageStore(Path dir) {
        this.dir = dir;
        Path tmp = dir.resolve("tmp");
        this.blobs = new BlobStore(dir.resolve("blobs"), tmp);
        this.names = new NameIndex(dir.resolve("index.json"), dir.resolve("index.lock"));
        this.snapshots = new Snapshots(dir.resolve("snapshots"), dir.resolve("l"), tmp);
        this.rootfs = new RootfsStore(dir.resolve("rootfs"), dir.resolve("empty"), snapshots);
        this.lock = StoreLock.of(dir.resolve("lock"));
        this.roots = dir.resolve("roots");
    }

    /** {@code $VIREO_STORE_ROOT}, else {@code /var/lib/vireo}. */
    public static Path defaultRoot() {
        String env = System.getenv(ROOT_ENV);
        return env == null || env.isBlank() ? DEFAULT_ROOT : Path.of(env);
    }

    /** Opens (creating when needed) the image store under {@code root}. */
    public static ImageStore open(Path root) throws IOException {
        ImageStore store = new ImageStore(root.toAbsolutePath().normalize().resolve("image"));
        store.blobs.create();
        store.snapshots.create();
        store.rootfs.create();
        Path layout = store.dir.resolve("oci-layout");
        if (!Files.exists(layout)) {
            dev.vireo.image.store.AtomicFiles.write(layout,
                    "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.US_ASCII));
        }
        return store;
    }

    /** The store's directory, {@code <root>/image}. */
    public Path directory() {
        return dir;
    }

    /** A shared hold on the store for a command that adds content; see the class comment. */
    public Lease lease() {
        StoreLock.Held held = lock.shared();
        return held::close;
    }

    /** Held while content is added; closing it lets garbage collection run. */
    public interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    // ---- blobs

    public boolean hasBlob(Digest digest) {
        return blobs.has(digest);
    }

    /** The size of a blob, or -1 when the store does not have it. */
    public long blobSize(Digest digest) {
        return blobs.size(digest);
    }

    /** The file of a stored blob, for readers that want ranges or zero-copy transfer; never write to it. */
    public Path blobPath(Digest digest) {
        return blobs.path(digest);
    }

    public InputStream openBlob(Digest digest) throws IOException {
        return blobs.open(digest);
    }

    public byte[] readBlob(Digest digest) throws IOException {
        return blobs.read(digest, MAX_DOCUMENT);
    }

    /**
     * Adds a blob, verified against {@code expected} and {@code expectedSize} when they are given
     * (null and -1 otherwise). A blob that is already there is not written again.
     */
    public Descriptor putBlob(String mediaType, InputStream content, Digest expected, long expectedSize, Progress progress)
            throws IOException {
        try (Lease _ = lease()) {
            String label = expected == null ? "blob" : expected.shortId();
            BlobStore.Written w = blobs.put(content, expected, expectedSize, label, progress);
            return new Descriptor(mediaType, w.digest(), w.size());
        }
    }

    public Descriptor putBlob(String mediaType, byte[] content) throws IOException {
        try (Lease _ = lease()) {
            BlobStore.Written w = blobs.put(content, null);
            return new Descriptor(mediaType, w.digest(), w.size());
        }
    }

    // ---- manifests

    /**
     * Adds a manifest or index after checking it: it must parse, and a manifest's config and
     * layers must already be in the store (an index may name manifests the store lacks, as a
     * single-platform pull leaves it).
     */
    public Descriptor putManifest(byte[] json, String mediaType) throws IOException {
        ManifestDocument document = ManifestDocument.parse(json, mediaType);
        if (document instanceof Manifest m) {
            List<Descriptor> needed = new ArrayList<>(m.layers());
            needed.addFirst(m.config());
            for (Descriptor d : needed) {
                if (blobs.size(d.digest()) != d.size()) {
                    throw new BadContentException("manifest references " + d.digest() + " (" + d.size()
                            + " bytes), which the store does not have");
                }
            }
        }
        try (Lease _ = lease()) {
            BlobStore.Written w = blobs.put(json, null);
            return new Descriptor(document.mediaType(), w.digest(), w.size());
        }
    }

    public ManifestDocument manifest(Descriptor descriptor) throws IOException {
        return ManifestDocument.parse(blobs.read(descriptor.digest(), MAX_DOCUMENT), descriptor.mediaType());
    }

    // ---- names

    /** Points {@code name} at a manifest or index in the store; the name it had before, if any, is moved. */
    public void tag(ImageRef name, Descriptor target) {
        requireBlob(target);
        names.put(name, target);
    }

    /** Records an image without a name (shown as {@code <none>} until it gets one or is pruned). */
    public void record(Descriptor target) {
        requireBlob(target);
        names.put(null, target);
    }

    public Optional<Descriptor> lookup(ImageRef name) {
        return names.lookup(name).map(NameIndex.Entry::target);
    }

    public boolean untag(ImageRef name) {
        return names.remove(name).isPresent();
    }

    public List<StoredImage> list() {
        return names.entries().stream().map(e -> new StoredImage(e.name(), e.target(), e.created())).toList();
    }

    private void requireBlob(Descriptor target) {
        if (!blobs.has(target.digest())) throw new BadContentException("the store has no manifest " + target.digest());
    }

    /** The GC roots of {@code owner} (for example {@code build-cache}): content kept alive apart from names. */
    public GcRoots roots(String owner) {
        return new GcRoots(this, roots.resolve(GcRoots.checkName(owner)));
    }

    // ---- images

    /**
     * Finds an image by name ({@code busybox}, {@code busybox:1.36}, {@code name@sha256:...}),
     * by manifest digest or image ID ({@code sha256:...}), or by a unique prefix of an image ID.
     */
    public Image resolve(String reference) throws IOException {
        return ImageResolver.resolve(this, reference);
    }

    /** The image a manifest (or, for an index, its manifest for this host's platform) describes. */
    public Image image(Descriptor target) throws IOException {
        ManifestDocument document = manifest(target);
        if (document instanceof ImageIndex index) {
            Descriptor chosen = index.forPlatform(Platform.host())
                    .orElseThrow(() -> new BadContentException("image index " + target.digest()
                            + " has no manifest for " + Platform.host()));
            if (!blobs.has(chosen.digest())) {
                throw new NoSuchImageException(chosen.digest() + " (" + Platform.host() + " manifest of index " + target.digest() + ")");
            }
            return image(chosen);
        }
        Manifest manifest = (Manifest) document;
        ImageConfig config = Json.read(blobs.read(manifest.config().digest(), MAX_DOCUMENT), ImageConfig.class, "image config");
        List<Digest> diffIds = config.diffIds();
        if (diffIds.size() != manifest.layers().size()) {
            throw new BadContentException("image " + target.digest() + " has " + manifest.layers().size()
                    + " layers but its config lists " + diffIds.size() + " DiffIDs");
        }
        List<Digest> chains = Layer.chainIds(diffIds);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++) layers.add(new Layer(manifest.layers().get(i), diffIds.get(i), chains.get(i)));
        return new Image(target.withMediaType(manifest.mediaType()), manifest, config, layers);
    }

    // ---- layers

    /** The snapshot directories of an image's layers, base first, unpacking the ones not yet unpacked. */
    public List<Path> unpack(Image image, Progress progress) throws IOException {
        try (Lease _ = lease()) {
            List<Path> dirs = new ArrayList<>();
            Digest parent = null;
            for (Layer layer : image.layers()) {
                if (!snapshots.has(layer.chainId())) {
                    try (InputStream raw = blobs.open(layer.blob().digest());
                         InputStream tar = Compression.decompress(raw)) {
                        snapshots.unpack(parent, layer.diffId(), tar, layer.blob().digest().shortId(), progress);
                    }
                }
                snapshots.link(layer.chainId());
                dirs.add(snapshots.fs(layer.chainId()));
                parent = layer.chainId();
            }
            return dirs;
        }
    }

    /**
     * Adds a layer from a tar (plain, gzip or zstd) on top of the stack {@code parentChainId}
     * (null for a base layer): the blob is stored as given, and unpacked as a snapshot.
     */
    public Layer addLayer(Digest parentChainId, InputStream blob, Progress progress) throws IOException {
        try (Lease _ = lease()) {
            return LayerCommitter.fromBlob(blobs, snapshots, parentChainId, blob, progress);
        }
    }

    /**
     * Makes a layer of a directory on top of {@code parentChainId}: for a container's upper
     * directory ({@code overlay} true) overlay whiteouts become OCI whiteouts. The tar is
     * gzip-compressed into a blob and unpacked as the new snapshot.
     */
    public Layer commitLayer(Digest parentChainId, Path directory, boolean overlay, Progress progress) throws IOException {
        try (Lease _ = lease()) {
            return LayerCommitter.fromDirectory(blobs, snapshots, parentChainId, directory, overlay, progress);
        }
    }

    /** Writes {@code config} and an OCI manifest of {@code layers}; the image has no name until {@link #tag}. */
    public Image commit(ImageConfig config, List<Layer> layers) throws IOException {
        List<Digest> diffIds = layers.stream().map(Layer::diffId).toList();
        if (!config.diffIds().equals(diffIds)) {
            throw new IllegalArgumentException("the config's DiffIDs " + config.diffIds() + " are not the layers' " + diffIds);
        }
        try (Lease _ = lease()) {
            Descriptor configBlob = putBlob(MediaTypes.OCI_CONFIG, Json.write(config));
            Manifest manifest = Manifest.oci(configBlob, layers.stream().map(Layer::blob).toList());
            Descriptor manifestBlob = putManifest(Json.write(manifest), MediaTypes.OCI_MANIFEST);
            return new Image(manifestBlob, manifest, config, layers);
        }
    }

    // ---- container root filesystems

    /** A container root filesystem from an image: its snapshots as lowers, a new upper, mounted. */
    public Rootfs prepareRootfs(String id, Image image, Progress progress) throws IOException {
        try (Lease _ = lease()) {
            unpack(image, progress);
            return rootfs.prepare(id, image.manifestDigest(), image.layers().stream().map(Layer::chainId).toList());
        }
    }

    /** A root filesystem over layers that need not belong to a stored image yet (a build step); null image for scratch. */
    public Rootfs prepareRootfs(String id, List<Layer> layers, Digest image) throws IOException {
        try (Lease _ = lease()) {
            for (Layer layer : layers) {
                if (!snapshots.has(layer.chainId())) throw new IOException("layer " + layer.chainId() + " is not unpacked");
            }
            return rootfs.prepare(id, image, layers.stream().map(Layer::chainId).toList());
        }
    }

    public Rootfs mountRootfs(String id) throws IOException {
        return rootfs.mount(id);
    }

    public Rootfs describeRootfs(String id) throws IOException {
        return rootfs.describe(id);
    }

    public void unmountRootfs(String id) {
        rootfs.unmount(id);
    }

    /** Unmounts and deletes a root filesystem and its upper layer; false when there was none. */
    public boolean removeRootfs(String id) throws IOException {
        return rootfs.remove(id);
    }

    /** Every container root filesystem's ID, also one a killed command left before recording it. */
    public List<String> rootfsIds() throws IOException {
        return rootfs.ids();
    }

    // ---- removal and garbage collection

    /**
     * {@code vireo rmi}: removes a name, or by ID or digest every name of an image. An image
     * that a container root filesystem uses is refused unless {@code force}. Returns lines like
     * Docker prints ("Untagged: ...", "Deleted: ..."). Space is reclaimed at once when no other
     * command holds the store, else by the next {@link #prune()}.
     */
    public List<String> remove(String reference, boolean force) throws IOException {
        return collector().remove(reference, force);
    }

    /** Removes dangling images and every blob, snapshot and temporary file nothing refers to. */
    public PruneReport prune() throws IOException {
        try (StoreLock.Held _ = lock.exclusive()) {
            return collector().collect(true);
        }
    }

    /** Removes what nothing refers to, keeping dangling images (after GC roots were dropped, say). */
    public PruneReport collectGarbage() throws IOException {
        try (StoreLock.Held _ = lock.exclusive()) {
            return collector().collect(false);
        }
    }

    /** Garbage collection of unreferenced content only if no other command holds the store now. */
    Optional<PruneReport> collectIfIdle() throws IOException {
        Optional<StoreLock.Held> held = lock.tryExclusive();
        if (held.isEmpty()) return Optional.empty();
        try (StoreLock.Held _ = held.get()) {
            return Optional.of(collector().collect(false));
        }
    }

    private GarbageCollector collector() {
        return new GarbageCollector(this, blobs, names, snapshots, rootfs, roots, dir.resolve("tmp"));
    }
}
