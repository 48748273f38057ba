package dev.srouter.index.postgres;

import dev.srouter.core.SrouterException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A {@code postgresql://} connection URL (libpq's form, the one semantic-router's {@code POSTGRES_CONNECTION_STRING}
 * and most hosting providers give) turned into what the JDBC driver takes: a {@code jdbc:postgresql://} URL without
 * credentials, and the user and password as connection properties, so that the password never appears in a URL
 * that a message, a log or an exception could show.
 *
 * <p>{@code postgresql://[user[:password]@][host][:port][,host2[:port2]...][/dbname][?param=value&...]}; the user and
 * password may be percent-encoded. Without a password in the URL, {@code PGPASSWORD} gives it (then the driver's own
 * {@code ~/.pgpass} lookup). The query parameters go to the driver: libpq's {@code sslmode}, {@code sslrootcert},
 * {@code sslcert}, {@code sslkey}, {@code options} keep their names, {@code connect_timeout} and
 * {@code application_name} are renamed to the driver's {@code connectTimeout} and {@code ApplicationName}, and the
 * driver's own settings ({@code prepareThreshold=0} behind PgBouncer's transaction pooling, {@code socketTimeout})
 * pass through as they are.
 */
public record PostgresUrl(String jdbcUrl, String user, String password, Map<String, String> parameters, String shown) {

    /** Seconds the driver may spend connecting when the URL does not say (the driver's own default is 10). */
    static final String DEFAULT_CONNECT_TIMEOUT = "10";

    public PostgresUrl {
        parameters = Map.copyOf(parameters);
    }

    /**
     * @param url the URL given by {@code --postgres-url} or {@code POSTGRES_URL}
     * @param pgPassword {@code PGPASSWORD}, used when the URL holds no password; may be null
     */
    public static PostgresUrl parse(String url, String pgPassword) {
        if (url == null || url.isBlank()) {
            throw SrouterException.usage("--index postgres needs a server: set POSTGRES_URL or pass --postgres-url, "
                    + "e.g. postgresql://user@localhost:5432/routes (the password from the URL or PGPASSWORD)");
        }
        String rest;
        if (url.startsWith("postgresql://")) {
            rest = url.substring("postgresql://".length());
        } else if (url.startsWith("postgres://")) {
            rest = url.substring("postgres://".length());
        } else {
            String scheme = url.contains("://") ? url.substring(0, url.indexOf("://") + 3) : null;
            throw SrouterException.usage("--postgres-url must begin with postgresql:// or postgres://"
                    + (scheme == null ? "" : ", not " + scheme) + ", e.g. postgresql://user@localhost:5432/routes");
        }
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo, "user");
            password = colon >= 0 ? decode(userInfo.substring(colon + 1), "password") : null;
        }
        String hosts = rest;
        String database = null;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            hosts = rest.substring(0, slash);
            database = decode(rest.substring(slash + 1), "database name");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw SrouterException.usage("--postgres-url: query parameter '" + pair + "' is not name=value");
            }
            String name = decode(pair.substring(0, eq), "parameter name");
            String value = decode(pair.substring(eq + 1), "parameter " + name);
            switch (name) {
                case "user" -> user = value;
                case "password" -> password = value;
                case "dbname" -> database = value;
                case "host", "port" -> throw SrouterException.usage("--postgres-url: give the " + name
                        + " before the path (postgresql://host:port/db), not as ?" + name + "=");
                case "connect_timeout" -> parameters.put("connectTimeout", value);
                case "application_name" -> parameters.put("ApplicationName", value);
                default -> parameters.put(name, value);
            }
        }
        if (password == null || password.isEmpty()) {
            password = pgPassword == null || pgPassword.isEmpty() ? null : pgPassword;
        }
        String hostList = hosts.isEmpty() ? "localhost" : checkedHosts(hosts);
        if (user == null || user.isEmpty()) {
            user = System.getProperty("user.name");
        }
        if (database == null || database.isEmpty()) {
            database = user; // libpq's default: the database named after the user
        }
        parameters.putIfAbsent("connectTimeout", DEFAULT_CONNECT_TIMEOUT);
        parameters.putIfAbsent("ApplicationName", "srouter");
        String jdbc = "jdbc:postgresql://" + hostList + "/" + encodePath(database);
        String shown = "postgresql://" + (user == null ? "" : user + "@") + hostList + "/" + database;
        return new PostgresUrl(jdbc, user, password, parameters, shown);
    }

    /** The driver's connection properties: user, password and the URL's parameters. */
    public Properties properties() {
        Properties p = new Properties();
        parameters.forEach(p::setProperty);
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return p;
    }

    /** Never the password: the record's own string form is what a stray log line would print. */
    @Override
    public String toString() {
        return shown;
    }

    private static String checkedHosts(String hosts) {
        for (String host : hosts.split(",")) {
            String port = null;
            if (host.startsWith("[")) {
                int close = host.indexOf(']');
                if (close < 0) {
                    throw SrouterException.usage("--postgres-url: IPv6 address '" + host + "' lacks its closing ]");
                }
                port = host.length() > close + 1 && host.charAt(close + 1) == ':' ? host.substring(close + 2) : null;
            } else if (host.contains(":")) {
                port = host.substring(host.lastIndexOf(':') + 1);
            }
            if (host.isEmpty() || (port != null && !port.matches("\\d{1,5}"))) {
                throw SrouterException.usage("--postgres-url: '" + host + "' is not HOST[:PORT]");
            }
        }
        return hosts;
    }

    private static String decode(String text, String what) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw SrouterException.usage("--postgres-url: the " + what + " holds a malformed %-escape");
        }
    }

    private static String encodePath(String database) {
        return java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
