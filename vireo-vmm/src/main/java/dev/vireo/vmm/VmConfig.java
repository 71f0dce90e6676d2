package dev.vireo.vmm;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a VM is made of: its kernel, memory, command line and vCPUs, and where its serial console
 * reads and writes. Built with {@link #builder()}; the builder checks every value and throws a
 * {@link VmConfigException} naming what is wrong.
 *
 * @param console where the UART's output goes
 * @param consoleInput what the guest reads from the UART, or null for nothing
 * @param log where the VMM reports events worth a line (unclaimed accesses, broken virtqueues), never on the console
 * @param disk the raw image behind virtio-blk, or null for a scratch disk of {@link #SCRATCH_DISK} bytes
 *             that lives as long as the VM
 */
public record VmConfig(Kernel kernel, long memoryBytes, String cmdline, int vcpus, OutputStream console,
                       InputStream consoleInput, Consumer<String> log, Path disk) {
    public static final long DEFAULT_MEMORY = 128L << 20;
    public static final long MIN_MEMORY = 2L << 20;
    public static final String DEFAULT_CMDLINE = "hello";
    public static final long SCRATCH_DISK = 64L << 20;

    /** An ELF64 x86-64 kernel image and the name errors call it by. */
    public record Kernel(String name, byte[] elf) {
        public Kernel {
            elf = elf.clone();
        }

        @Override
        public byte[] elf() {
            return elf.clone();
        }

        /** The kernel in {@code file}; a missing or unreadable file is a {@link VmConfigException}. */
        public static Kernel file(Path file) {
            try {
                if (Files.isDirectory(file)) throw new VmConfigException("kernel " + file + " is a directory, not an ELF file");
                return new Kernel("kernel " + file, Files.readAllBytes(file));
            } catch (NoSuchFileException e) {
                throw new VmConfigException("kernel " + file + ": no such file");
            } catch (IOException e) {
                throw new VmConfigException("kernel " + file + ": " + e.getMessage());
            }
        }

        /** Vireo's own guest kernel (guest/), built into this module. */
        public static Kernel bundled() {
            try (InputStream in = VmConfig.class.getResourceAsStream("vireo-guest.elf")) {
                if (in == null) throw new IllegalStateException("the built guest kernel is missing from vireo-vmm (build the guest module)");
                return new Kernel("the bundled guest kernel", in.readAllBytes());
            } catch (IOException e) {
                throw new IllegalStateException("reading the bundled guest kernel: " + e.getMessage(), e);
            }
        }
    }

    public VmConfig {
        if (memoryBytes < MIN_MEMORY || memoryBytes % 4096 != 0) {
            throw new VmConfigException("memory size " + memoryBytes + " bytes is not possible: use a whole number of 4 KiB pages, at least 2 MiB");
        }
        if (vcpus != 1) throw new VmConfigException("Vireo's VMs have one vCPU (the guest kernel starts no second one)");
    }

    public static Builder builder() {
        return new Builder();
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)([KMGT]?)(I?B)?");

    /**
     * Parses a memory size such as {@code 512M}, {@code 1G} or {@code 131072K}; a plain number
     * means MiB, as QEMU's {@code -m} does. The result must be possible on this host: whole 4 KiB
     * pages, at least 2 MiB, at most the host's RAM.
     */
    public static long parseMemory(String text) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) throw new VmConfigException("memory size '" + text + "' is not a size such as 256M or 1G");
        int shift = switch (m.group(2)) {
            case "K" -> 10;
            case "", "M" -> 20;
            case "G" -> 30;
            default -> 40;
        };
        long value;
        try {
            value = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new VmConfigException("memory size '" + text + "' is too large");
        }
        if (value > (Long.MAX_VALUE >> shift)) throw new VmConfigException("memory size '" + text + "' is too large");
        long bytes = value << shift;
        if (bytes < MIN_MEMORY) throw new VmConfigException("memory size '" + text + "' is too small: a VM needs at least 2M");
        if (bytes % 4096 != 0) throw new VmConfigException("memory size '" + text + "' is not a whole number of 4 KiB pages");
        long host = hostMemory();
        if (host > 0 && bytes > host) {
            throw new VmConfigException("memory size '" + text + "' is more than this host's " + (host >> 20) + " MiB of RAM");
        }
        return bytes;
    }

    private static long hostMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("\\D", "")) << 10;
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Collects a configuration; every value has a default except none: {@code builder().build()} boots the bundled guest. */
    public static final class Builder {
        private Kernel kernel;
        private long memoryBytes = DEFAULT_MEMORY;
        private String cmdline = DEFAULT_CMDLINE;
        private OutputStream console;
        private InputStream consoleInput;
        private Consumer<String> log = line -> System.err.println("vireo vm: " + line);
        private Path disk;

        public Builder kernel(Kernel kernel) {
            this.kernel = kernel;
            return this;
        }

        public Builder memory(long bytes) {
            this.memoryBytes = bytes;
            return this;
        }

        public Builder cmdline(String cmdline) {
            this.cmdline = cmdline;
            return this;
        }

        public Builder console(OutputStream out) {
            this.console = out;
            return this;
        }

        public Builder consoleInput(InputStream in) {
            this.consoleInput = in;
            return this;
        }

        public Builder log(Consumer<String> log) {
            this.log = log;
            return this;
        }

        /** The raw image file virtio-blk reads and writes; without one the VM gets a scratch disk. */
        public Builder disk(Path image) {
            this.disk = image;
            return this;
        }

        public VmConfig build() {
            return new VmConfig(kernel != null ? kernel : Kernel.bundled(), memoryBytes, cmdline, 1,
                    console != null ? console : new FileOutputStream(FileDescriptor.out), consoleInput, log, disk);
        }
    }
}
