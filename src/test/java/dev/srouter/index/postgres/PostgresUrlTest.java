package dev.srouter.index.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.SrouterException;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PostgresUrlTest {

    @Test
    void aFullUrlGivesAJdbcUrlWithoutCredentials() {
        PostgresUrl u = PostgresUrl.parse("postgresql://app:p%40ss%3Aw0rd@db.example.com:6543/routes?sslmode=require&connect_timeout=3", null);
        assertEquals("jdbc:postgresql://db.example.com:6543/routes", u.jdbcUrl());
        assertEquals("app", u.user());
        assertEquals("p@ss:w0rd", u.password());
        Properties p = u.properties();
        assertEquals("require", p.getProperty("sslmode"));
        assertEquals("3", p.getProperty("connectTimeout"), "libpq's connect_timeout is the driver's connectTimeout");
        assertEquals("p@ss:w0rd", p.getProperty("password"));
        assertEquals("postgresql://app@db.example.com:6543/routes", u.toString());
        assertFalse(u.toString().contains("p@ss") || u.shown().contains("w0rd"), "the shown form never holds the password");
    }

    @Test
    void defaultsAreLibpqs() {
        PostgresUrl u = PostgresUrl.parse("postgres://alice@/", null);
        assertEquals("jdbc:postgresql://localhost/alice", u.jdbcUrl(), "no host: localhost; no database: the user's name");
        assertNull(u.password());
        assertEquals("10", u.properties().getProperty("connectTimeout"));
        assertEquals("srouter", u.properties().getProperty("ApplicationName"));
    }

    @Test
    void pgPasswordFillsInOnlyWhenTheUrlHasNone() {
        assertEquals("fromenv", PostgresUrl.parse("postgresql://bob@h/db", "fromenv").password());
        assertEquals("inurl", PostgresUrl.parse("postgresql://bob:inurl@h/db", "fromenv").password());
        assertEquals("q", PostgresUrl.parse("postgresql://h/db?user=carol&password=q", "fromenv").password());
        assertEquals("carol", PostgresUrl.parse("postgresql://h/db?user=carol&password=q", null).user());
    }

    @Test
    void severalHostsIpv6AndDriverSettingsPassThrough() {
        PostgresUrl u = PostgresUrl.parse("postgresql://u@[::1]:5432,replica:5433/db?prepareThreshold=0&target_session_attrs=any", null);
        assertEquals("jdbc:postgresql://[::1]:5432,replica:5433/db", u.jdbcUrl());
        assertEquals("0", u.properties().getProperty("prepareThreshold"));
        assertEquals("any", u.properties().getProperty("target_session_attrs"));
    }

    @Test
    void badUrlsAreUsageErrorsThatSayWhatToWrite() {
        for (String bad : new String[] {"jdbc:postgresql://h/db", "mysql://h/db", "postgresql://h:port/db", "postgresql://h/db?novalue",
                "postgresql://[::1/db", "postgresql://h/db?host=other"}) {
            SrouterException e = assertThrows(SrouterException.class, () -> PostgresUrl.parse(bad, null), bad);
            assertEquals(64, e.exitCode(), bad);
            assertTrue(e.getMessage().contains("--postgres-url"), e.getMessage());
        }
        SrouterException none = assertThrows(SrouterException.class, () -> PostgresUrl.parse(null, "pw"));
        assertTrue(none.getMessage().contains("POSTGRES_URL"), none.getMessage());
        SrouterException escape = assertThrows(SrouterException.class, () -> PostgresUrl.parse("postgresql://u:se%ZZcret@h/db", null));
        assertFalse(escape.getMessage().contains("se%ZZcret"), "a malformed password is not echoed: " + escape.getMessage());
    }
}
