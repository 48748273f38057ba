package dev.srouter.index;

import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * How a remote index calls its server: a time limit per call, and how often and how long apart a
 * call that failed for a transient reason is tried again (exponential backoff with jitter: each wait
 * is drawn between half and all of the current step, which doubles up to {@code maxBackoff}).
 * Every write of the sync engine is idempotent (deterministic ids), so retrying a write that had
 * in fact landed does no harm.
 */
public record RetryPolicy(Duration callTimeout, int attempts, Duration firstBackoff, Duration maxBackoff) {
    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
    }

    /** 30 s per call; 6 attempts with backoff from 0.25 s doubling up to 8 s (about 8 to 16 s of waiting in all). */
    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofSeconds(30), 6, Duration.ofMillis(250), Duration.ofSeconds(8));
    }

    /** One try of a call; an {@link ExecutionException} stands for its cause. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code op} until it succeeds, fails for a reason {@code retryable} rejects, or has been tried
     * {@link #attempts} times; then throws what {@code failure} makes of the last failure and the number
     * of tries. An interrupt stops at once.
     */
    public <T> T run(Attempt<T> op, Predicate<Throwable> retryable, BiFunction<Throwable, Integer, RuntimeException> failure) {
        long step = Math.max(1, firstBackoff.toMillis());
        for (int attempt = 1; ; attempt++) {
            try {
                return op.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SrouterException(ExitCode.FAILURE, "interrupted", e);
            } catch (Exception e) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                if (attempt < attempts && retryable.test(cause)) {
                    sleep(ThreadLocalRandom.current().nextLong(step / 2, step + 1));
                    step = Math.min(step * 2, Math.max(1, maxBackoff.toMillis()));
                    continue;
                }
                throw failure.apply(cause, attempt);
            }
        }
    }

    /** Sleeps, turning an interrupt into a failure that keeps the thread's interrupt flag. */
    public static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SrouterException(ExitCode.FAILURE, "interrupted", e);
        }
    }
}
