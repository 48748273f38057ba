package dev.srouter.core;

/**
 * Progress of long work (embedding, writes, pages read) for a person watching: the CLI shows it on a
 * terminal and nowhere else; below the CLI it is only reported. {@link #NONE} reports nothing.
 */
public interface Progress {
    /** Reports nothing. */
    Progress NONE = (what, total) -> Task.NONE;

    /**
     * Starts a task of {@code total} steps (-1 when the total is unknown).
     *
     * @param what a few words, e.g. {@code "embedding"}
     */
    Task start(String what, long total);

    /** One task; close it when done. */
    interface Task extends AutoCloseable {
        Task NONE = new Task() {
            @Override
            public void advance(long steps) {}

            @Override
            public void close() {}
        };

        void advance(long steps);

        @Override
        void close();
    }
}
