package dev.srouter.index;

/**
 * Test hooks of the indexes that can simulate a backend failing mid-sync ({@code InMemoryIndex},
 * {@code FileIndex}): a sync engine test arms a failure, watches the sync stop part way, reruns it
 * and checks that it converges. Counting calls lets a test check that a second sync of an index
 * already in sync writes nothing, and that reads are batched.
 */
public interface FaultInjectable {

    /**
     * Lets the next {@code n} write calls succeed and makes the one after fail once with a
     * {@link dev.srouter.core.SrouterException} (exit code 4, cause an {@link java.io.IOException}), as a
     * dropped connection would; later calls succeed again. Negative {@code n} disarms. Write calls are
     * create, upsert, updatePayload, delete, writeConfig and compareAndSetConfig.
     */
    void failAfterWrites(int n);

    /** How many write calls were made since the index object was built, failed ones included. */
    int writeCalls();

    /** How many read calls (describe, read, query, queryBatch, size, dimension, readConfig) were made. */
    int readCalls();
}
