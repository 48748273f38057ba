package dev.srouter.index.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** For the live classes: the server given by {@code POSTGRES_URL}, fresh table names, and dropping what a test made. */
public final class PostgresLiveSupport {
    private PostgresLiveSupport() {}

    public static PostgresUrl url() {
        return PostgresUrl.parse(System.getenv("POSTGRES_URL"), System.getenv("PGPASSWORD"));
    }

    /** A table name no one uses: {@code srouter_live_} and 8 hex digits. */
    public static String freshTable() {
        return "srouter_live_" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Drops the table and srouter's two beside it. */
    public static void drop(String table) throws SQLException {
        PostgresUrl url = url();
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.properties()); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table + ", " + table + "_srouter_config, " + table + "_srouter_payload");
        }
    }
}
