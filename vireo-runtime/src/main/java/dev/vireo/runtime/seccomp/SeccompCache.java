package dev.vireo.runtime.seccomp;

import dev.vireo.runtime.ContainerException;
import dev.vireo.runtime.spec.SeccompSpec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * Compiled filters kept on disk under the state directory, by the SHA-256 of the profile (as
 * crun caches its own): a CLI process that runs a known profile loads eight bytes per
 * instruction instead of compiling it again. Each file is the flags (64-bit) then the program.
 */
public final class SeccompCache {
    private final Path dir;

    public SeccompCache(Path dir) {
        this.dir = dir;
    }

    public SeccompCompiler.Program compile(SeccompSpec spec) {
        String key = SeccompCompiler.key(spec);
        SeccompCompiler.Program known = SeccompCompiler.cached(key);
        if (known != null) return known;
        Path file = dir.resolve(key);
        try {
            byte[] bytes = Files.readAllBytes(file);
            long flags = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return SeccompCompiler.remember(key, new SeccompCompiler.Program(Arrays.copyOfRange(bytes, 8, bytes.length), flags));
        } catch (NoSuchFileException e) {
            SeccompCompiler.Program program = SeccompCompiler.compile(spec);
            store(file, program);
            return program;
        } catch (IOException e) {
            throw new ContainerException("cannot read the cached seccomp filter " + file + ": " + e.getMessage());
        }
    }

    private void store(Path file, SeccompCompiler.Program program) {
        ByteBuffer out = ByteBuffer.allocate(8 + program.bpf().length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(program.flags()).put(program.bpf());
        Path temp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.write(temp, out.array());
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException("cannot cache the seccomp filter in " + dir + ": " + e.getMessage());
        }
    }
}
