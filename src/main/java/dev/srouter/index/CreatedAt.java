package dev.srouter.index;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The {@code created_at} of config entries, written as semantic-router writes it
 * ({@code datetime.now(timezone.utc).isoformat()}, e.g. {@code 2025-01-31T09:15:02.123456+00:00}),
 * so either tool can parse what the other wrote.
 */
public final class CreatedAt {
    private static final DateTimeFormatter PYTHON_ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private CreatedAt() {}

    public static String now() {
        return now(Clock.systemUTC());
    }

    public static String now(Clock clock) {
        return clock.instant().atOffset(ZoneOffset.UTC).format(PYTHON_ISO);
    }
}
