package dev.srouter.cli;

import dev.srouter.index.VectorIndex;
import dev.srouter.index.file.FileIndex;
import java.nio.file.Path;

/** The sync commands against a {@code file:} index. */
class FileSyncCommandsTest extends SyncCommandsContract {
    private Path indexDir;

    @Override
    protected String newIndexSpec(Path dir) {
        indexDir = dir.resolve("idx");
        return "file:" + indexDir;
    }

    @Override
    protected VectorIndex openIndex() {
        return new FileIndex(indexDir);
    }
}
