package dev.srouter.index.memory;

import dev.srouter.index.VectorIndex;
import dev.srouter.index.VectorIndexContractTest;

/** The reference implementation meets the contract the sync engine is tested against. */
class InMemoryIndexContractTest extends VectorIndexContractTest {
    @Override
    protected VectorIndex newIndex() {
        return new InMemoryIndex();
    }
}
