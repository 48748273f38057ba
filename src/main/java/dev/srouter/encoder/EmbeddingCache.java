package dev.srouter.encoder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * The on-disk embedding cache: one append-only file per encoder key, so that a warm run answers
 * every text without loading the model or calling a server.
 *
 * <p>File format (all integers little-endian, so float32s can be bulk-copied on common hardware):
 *
 * <pre>
 * header:  magic "SREMBED\n" (8 bytes) | int32 format version (1) | int32 key length | key (UTF-8)
 *          | int32 dimension (0 until the first vector is stored)
 * records: 16-byte text key (first 16 bytes of SHA-256 of the UTF-8 text) | dimension x float32
 *          | int32 CRC32 of the key and floats
 * </pre>
 *
 * <p>The text itself is not stored: the cache may hold routed queries, and a hash is all a lookup
 * needs. Records are only ever appended, under an exclusive lock, so readers trust every complete
 * record whose CRC matches and stop at the first one that does not (a crash mid-append or a damaged
 * disk); the next writer truncates the file back to the last good record before appending.
 *
 * <p>The cache is an optimisation, never a reason to fail: any I/O problem is reported through
 * {@code warn} and the run carries on, answering from whatever was loaded (nothing, if the file
 * could not be opened) and storing nothing further.
 *
 * <p>Concurrency: several processes may share a file. Loading takes a shared lock, {@link #putAll}
 * an exclusive one, during which it first reads the records others appended since, so nothing is
 * written twice and the file length is known. Within one JVM, a per-file lock serialises instances
 * on the same file (Java file locks are per process, and on POSIX closing any channel to a file
 * drops all of the process's locks on it), and each instance is synchronized for use by threads.
 */
public final class EmbeddingCache implements AutoCloseable {
    private static final byte[] MAGIC = "SREMBED\n".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int KEY_BYTES = 16;
    private static final int CRC_BYTES = 4;
    /** Larger values in a header are damage, not a model; keeps a garbage header from sizing buffers. */
    private static final int MAX_DIMENSION = 1 << 16;
    private static final int READ_CHUNK = 1 << 20;
    private static final int FILE_PREFIX_CHARS = 64;

    /** One lock per cache file per JVM; see the class comment. Never removed: there are only a few files. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    /**
     * The 128-bit hash a text is looked up by; two longs keep the map's keys small and cheap to compare.
     * A plain class rather than a record: a record's generated equals/hashCode are bootstrapped on first
     * use, which costs tens of milliseconds in a command-line run that opens the cache once.
     */
    private static final class TextKey {
        final long hi;
        final long lo;

        TextKey(long hi, long lo) {
            this.hi = hi;
            this.lo = lo;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TextKey k && k.hi == hi && k.lo == lo;
        }

        @Override
        public int hashCode() {
            return (int) hi; // already uniformly distributed: it is part of a SHA-256
        }
    }

    private final Path file;
    private final Consumer<String> warn;
    private final ReentrantLock jvmLock;
    /** The header up to and including the key; the dimension follows it. */
    private final byte[] headerPrefix;
    private final long headerEnd;
    private final Map<TextKey, float[]> entries = new HashMap<>();

    /** Null when the cache works from memory only: the file could not be opened, written, or was closed. */
    private FileChannel channel;
    /** Dimension of every vector in the file, 0 while none is stored. */
    private int dimension;
    /** End of the last good record we have read or written: where the next append goes. */
    private long validEnd;
    /** Good records between the header and {@link #validEnd}, for the damage message. */
    private long fileRecords;
    private boolean damageReported;

    private EmbeddingCache(Path file, String encoderKey, Consumer<String> warn) {
        this.file = file;
        this.warn = warn;
        this.jvmLock = JVM_LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new ReentrantLock());
        byte[] key = encoderKey.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 8 + key.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(key.length).put(key);
        this.headerPrefix = b.array();
        this.headerEnd = headerPrefix.length + 4L;
        this.validEnd = headerEnd;
    }

    /** {@code $XDG_CACHE_HOME/srouter}, else {@code ~/.cache/srouter}. */
    public static Path defaultDir(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "srouter");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "srouter");
    }

    /**
     * Opens (creating {@code dir} and the file if needed) and loads the cache for one encoder key.
     * Never throws for I/O problems: they go to {@code warn} and the returned cache works without a file.
     */
    public static EmbeddingCache open(Path dir, String encoderKey, Consumer<String> warn) {
        EmbeddingCache cache = new EmbeddingCache(file(dir, encoderKey), encoderKey, warn);
        cache.load(dir);
        return cache;
    }

    /**
     * The cache file for a key: a readable prefix so people can tell files apart, plus a hash of the
     * whole key so keys that sanitize alike (or are long, like remote endpoints) still get their own file.
     */
    static Path file(Path dir, String encoderKey) {
        String readable = encoderKey.replaceAll("[^A-Za-z0-9._-]", "_");
        if (readable.length() > FILE_PREFIX_CHARS) {
            readable = readable.substring(0, FILE_PREFIX_CHARS);
        }
        String hash = HexFormat.of().formatHex(sha256(encoderKey.getBytes(StandardCharsets.UTF_8)), 0, 4);
        return dir.resolve(readable + "-" + hash + ".emb");
    }

    /**
     * The cached vector for {@code text}, or null. The array is the cache's own (copying 384 floats per
     * hit would cost more than the lookup): callers must not modify it.
     */
    public float[] get(String text) {
        TextKey key = textKey(text); // hashed outside the lock, so threads only contend for the map
        synchronized (this) {
            return entries.get(key);
        }
    }

    /**
     * Adds vectors to memory and appends the new ones to the file, in one write under an exclusive
     * lock. The vectors are copied, so callers may reuse their arrays. Vectors whose length differs
     * from the file's dimension are skipped with a warning (same key, different model: a server changed).
     * Does nothing once the file is unusable (see the class comment).
     */
    public synchronized void putAll(Map<String, float[]> newEntries) {
        if (channel == null || newEntries.isEmpty()) {
            return;
        }
        jvmLock.lock();
        try (FileLock lock = channel.lock()) {
            refresh(true);
            Map<TextKey, float[]> fresh = new HashMap<>();
            List<TextKey> order = new ArrayList<>();
            int empty = 0;
            int otherDimension = 0;
            int otherLength = 0;
            for (Map.Entry<String, float[]> e : newEntries.entrySet()) {
                float[] v = e.getValue();
                if (v == null || v.length == 0 || v.length > MAX_DIMENSION) {
                    empty++;
                    continue;
                }
                if (dimension == 0) {
                    dimension = v.length;
                    writeDimension();
                }
                if (v.length != dimension) {
                    otherDimension++;
                    otherLength = v.length;
                    continue;
                }
                TextKey k = textKey(e.getKey());
                if (!entries.containsKey(k) && fresh.put(k, v.clone()) == null) {
                    order.add(k);
                }
            }
            if (otherDimension > 0) {
                warn.accept("embedding cache " + file + " holds " + dimension + "-dimensional vectors; not storing "
                        + otherDimension + " vector(s) of length " + otherLength + " (did the encoder's model change?)");
            }
            if (empty > 0) {
                warn.accept("embedding cache " + file + ": not storing " + empty + " missing, empty or oversized vector(s)");
            }
            if (!order.isEmpty()) {
                append(order, fresh);
                channel.force(true);
                entries.putAll(fresh);
            }
        } catch (IOException e) {
            disable("could not be updated", e);
        } finally {
            jvmLock.unlock();
        }
    }

    /** Vectors held in memory: those loaded, those stored, and those others stored that we have read. */
    public synchronized int size() {
        return entries.size();
    }

    /** Closes the file; lookups keep answering from memory, and {@link #putAll} does nothing. */
    @Override
    public synchronized void close() {
        if (channel == null) {
            return;
        }
        jvmLock.lock();
        try {
            channel.close();
        } catch (IOException e) {
            // Everything written was already forced; nothing to lose.
        } finally {
            channel = null;
            jvmLock.unlock();
        }
    }

    private synchronized void load(Path dir) {
        jvmLock.lock();
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
            boolean loaded;
            try (FileLock lock = channel.lock(0, Long.MAX_VALUE, true)) {
                loaded = refresh(false);
            }
            if (!loaded) {
                // New or unusable file: writing its header needs the exclusive lock, and another
                // process may have written one while we waited, which refresh() checks again.
                try (FileLock lock = channel.lock()) {
                    refresh(true);
                    channel.force(true);
                }
            }
        } catch (IOException e) {
            disable("could not be opened", e);
        } finally {
            jvmLock.unlock();
        }
    }

    /**
     * Brings memory up to date with the file, under a file lock: validates the header and reads the
     * records appended since {@link #validEnd}. With the exclusive lock it also rebuilds a bad header
     * and truncates a damaged tail; with the shared lock it returns false when the header needs writing.
     */
    private boolean refresh(boolean exclusive) throws IOException {
        long size = channel.size();
        String problem = size == 0 ? null : checkHeader(size);
        if (size == 0 || problem != null) {
            if (!exclusive) {
                return false;
            }
            if (problem != null) {
                warn.accept("embedding cache " + file + " " + problem + "; rebuilding it");
            }
            channel.truncate(0);
            ByteBuffer header = ByteBuffer.allocate((int) headerEnd).order(ByteOrder.LITTLE_ENDIAN);
            header.put(headerPrefix).putInt(0).flip();
            writeFully(header, 0);
            dimension = 0;
            validEnd = headerEnd;
            fileRecords = 0;
            return true;
        }
        int fileDimension = readInt(headerEnd - 4);
        if (dimension != 0 && fileDimension != dimension) {
            // Rebuilt by another process for a different model under the same key: start over from it.
            entries.clear();
            validEnd = headerEnd;
        }
        if (size < validEnd) {
            // Truncated by someone else (a repair or a rebuild): read it again from the start.
            validEnd = headerEnd;
        }
        if (validEnd == headerEnd) {
            fileRecords = 0;
        }
        dimension = fileDimension;
        scan(size);
        if (validEnd < size) {
            if (!damageReported) {
                damageReported = true;
                warn.accept("embedding cache " + file + " was damaged after " + fileRecords + " entries; it will be repaired");
            }
            if (exclusive) {
                channel.truncate(validEnd);
            }
        }
        return true;
    }

    /** Null when the header is ours, else what is wrong with it, for the rebuild message. */
    private String checkHeader(long size) throws IOException {
        ByteBuffer head = readAt(0, (int) Math.min(size, headerEnd));
        int length = head.remaining();
        if (length < MAGIC.length || !head.slice(0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
            return "is not an srouter embedding cache";
        }
        if (length < MAGIC.length + 4) {
            return "has a truncated header";
        }
        int version = head.getInt(MAGIC.length);
        if (version != VERSION) {
            return "has format version " + version + " (this srouter uses " + VERSION + ")";
        }
        int common = Math.min(length, headerPrefix.length);
        if (!head.slice(0, common).equals(ByteBuffer.wrap(headerPrefix, 0, common))) {
            return "was written for another encoder";
        }
        if (length < headerEnd) {
            return "has a truncated header";
        }
        int dim = head.getInt(headerPrefix.length);
        if (dim < 0 || dim > MAX_DIMENSION) {
            return "has an invalid dimension " + dim;
        }
        return null;
    }

    /**
     * Reads complete, CRC-valid records from {@link #validEnd} up to {@code size} into memory, in large
     * chunks, and advances {@link #validEnd} past them; it stops at the first bad or partial record.
     */
    private void scan(long size) throws IOException {
        if (dimension == 0) {
            return; // no vector stored yet, so any bytes after the header are damage
        }
        int recordSize = KEY_BYTES + 4 * dimension + CRC_BYTES;
        int chunkRecords = Math.max(1, READ_CHUNK / recordSize);
        ByteBuffer buf = ByteBuffer.allocate(chunkRecords * recordSize).order(ByteOrder.LITTLE_ENDIAN);
        // The whole chunk as floats, converted in one call: records are 4-byte aligned in it, so each
        // vector is then one array copy (per-record buffer views cost far more before the JIT warms up).
        float[] chunkFloats = new float[buf.capacity() / 4];
        int recordFloats = recordSize / 4;
        CRC32 crc = new CRC32();
        long pos = validEnd;
        while (size - pos >= recordSize) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), (size - pos) / recordSize * recordSize));
            while (buf.hasRemaining()) {
                if (channel.read(buf, pos + buf.position()) < 0) {
                    return; // shrank under us, impossible while we hold a lock; treat the rest as missing
                }
            }
            int n = buf.flip().limit() / recordSize;
            buf.asFloatBuffer().get(0, chunkFloats, 0, n * recordFloats);
            byte[] bytes = buf.array();
            for (int r = 0; r < n; r++) {
                int base = r * recordSize;
                crc.reset();
                crc.update(bytes, base, recordSize - CRC_BYTES);
                if ((int) crc.getValue() != buf.getInt(base + recordSize - CRC_BYTES)) {
                    return;
                }
                int first = r * recordFloats + KEY_BYTES / 4;
                float[] v = Arrays.copyOfRange(chunkFloats, first, first + dimension);
                entries.put(new TextKey(buf.getLong(base), buf.getLong(base + 8)), v);
                validEnd += recordSize;
                fileRecords++;
            }
            pos = validEnd;
        }
    }

    /** Appends the records in one write at {@link #validEnd}. */
    private void append(List<TextKey> order, Map<TextKey, float[]> vectors) throws IOException {
        int recordSize = KEY_BYTES + 4 * dimension + CRC_BYTES;
        ByteBuffer buf = ByteBuffer.allocate(order.size() * recordSize).order(ByteOrder.LITTLE_ENDIAN);
        CRC32 crc = new CRC32();
        for (TextKey k : order) {
            int base = buf.position();
            buf.putLong(k.hi).putLong(k.lo);
            for (float x : vectors.get(k)) {
                buf.putFloat(x);
            }
            crc.reset();
            crc.update(buf.array(), base, recordSize - CRC_BYTES);
            buf.putInt((int) crc.getValue());
        }
        buf.flip();
        writeFully(buf, validEnd);
        validEnd += buf.capacity();
        fileRecords += order.size();
    }

    private void writeDimension() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, dimension);
        writeFully(b, headerEnd - 4);
    }

    private void writeFully(ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            p += channel.write(buf, p);
        }
    }

    private ByteBuffer readAt(long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (channel.read(buf, position + buf.position()) < 0) {
                break;
            }
        }
        return buf.flip();
    }

    private int readInt(long position) throws IOException {
        ByteBuffer b = readAt(position, 4);
        return b.remaining() == 4 ? b.getInt(0) : -1;
    }

    /** Stops using the file (memory stays) after an I/O error; called with {@link #jvmLock} held. */
    private void disable(String what, IOException e) {
        warn.accept("embedding cache " + file + " " + what + " (" + describe(e) + "); continuing without it");
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Already failing; the warning above says enough.
            }
            channel = null;
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static TextKey textKey(String text) {
        ByteBuffer d = ByteBuffer.wrap(sha256(text.getBytes(StandardCharsets.UTF_8))).order(ByteOrder.LITTLE_ENDIAN);
        return new TextKey(d.getLong(0), d.getLong(8));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Test hook: the on-disk size of one record for a dimension. */
    static int recordSize(int dimension) {
        return KEY_BYTES + 4 * dimension + CRC_BYTES;
    }

    /** Test hook: the header length for an encoder key. */
    static int headerSize(String encoderKey) {
        return MAGIC.length + 12 + encoderKey.getBytes(StandardCharsets.UTF_8).length;
    }
}
