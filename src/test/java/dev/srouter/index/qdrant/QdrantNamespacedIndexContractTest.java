package dev.srouter.index.qdrant;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The index contract on Qdrant inside a namespace (points carry a {@code namespace} payload, ids include it).
 * Each test has its own namespace: semantic-router scopes {@code sr_hash} and {@code sr_lock} by namespace
 * alone, so two collections with one namespace share them (see QdrantIndexTest).
 */
class QdrantNamespacedIndexContractTest extends QdrantIndexContractTest {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @Override
    protected String namespace() {
        return "acme-" + NAMESPACES.incrementAndGet();
    }
}
