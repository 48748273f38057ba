package dev.srouter.core;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a whole file so that a reader sees the old content or the new, never a part: the text goes to a temporary
 * file in the same directory, is flushed to disk and renamed over the target (the way {@link RoutesFile#write}
 * replaces a routes file, with {@code .bak} when asked). {@link #create} does the same for a file that must not exist yet,
 * and never replaces one.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Replaces (or creates) {@code path} with {@code text} in UTF-8; a failure is exit 1 naming the file. */
    public static void write(Path path, String text) {
        write(path, text, false);
    }

    /**
     * As {@link #write(Path, String)}; with {@code backup}, an existing file is first copied to {@code FILE.bak}, and
     * the new one keeps its permissions.
     */
    public static void write(Path path, String text, boolean backup) {
        Path tmp = null;
        try {
            // Write through a symlink to the file it points at, rather than replacing the link with a regular file.
            Path target = Files.isSymbolicLink(path) ? path.toRealPath() : path.toAbsolutePath();
            Path dir = target.getParent();
            tmp = writeTemporary(target, text);
            if (backup && Files.exists(target)) {
                copyPermissions(target, tmp);
                Files.copy(target, target.resolveSibling(target.getFileName() + ".bak"), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } catch (IOException e) {
            throw new SrouterException(ExitCode.FAILURE, "cannot write " + path + ": " + reason(e), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * Creates {@code path} with {@code text} in UTF-8, atomically, only when nothing is there by that name: unlike checking
     * first and then calling {@link #write}, a file that appears in between is never replaced. The text goes to a temporary
     * file in the same directory, is flushed to disk and hard-linked to {@code path} (which fails when the name exists);
     * on a file system without hard links it is moved there without replacing, which checks just before the rename.
     *
     * @return false when {@code path} exists (a symlink too, even a dangling one): nothing was written
     */
    public static boolean create(Path path, String text) {
        Path tmp = null;
        try {
            Path target = path.toAbsolutePath();
            tmp = writeTemporary(target, text);
            try {
                Files.createLink(target, tmp);
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException | FileSystemException e) {
                try {
                    Files.move(tmp, target);
                } catch (FileAlreadyExistsException again) {
                    return false;
                }
            }
            syncDirectory(target.getParent());
            return true;
        } catch (IOException e) {
            throw new SrouterException(ExitCode.FAILURE, "cannot write " + path + ": " + reason(e), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** {@code text} in a new temporary file beside {@code target}, flushed to disk. */
    private static Path writeTemporary(Path target, String text) throws IOException {
        Path tmp = target.getParent().resolve("." + target.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        return tmp;
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: the temporary file is only still there when something failed before the move
            }
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such directory";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void copyPermissions(Path from, Path to) {
        try {
            Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system, or not ours to change: the new file keeps the default permissions
        }
    }

    /** Makes the rename durable; directories cannot be opened for syncing on some platforms, which is fine. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }
}
