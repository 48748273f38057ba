package dev.srouter.index.file;

import dev.srouter.index.VectorIndex;
import dev.srouter.index.VectorIndexContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@code file:} meets the same contract as the in-memory reference, so a sync against it behaves the same. */
class FileIndexContractTest extends VectorIndexContractTest {
    @TempDir
    Path temp;

    @Override
    protected VectorIndex newIndex() {
        return new FileIndex(temp.resolve("index"));
    }
}
