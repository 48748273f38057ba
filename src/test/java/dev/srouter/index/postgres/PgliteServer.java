package dev.srouter.index.postgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opentest4j.TestAbortedException;

/**
 * A real PostgreSQL with the real pgvector extension for tests, on 127.0.0.1: PGlite (PostgreSQL
 * compiled to WebAssembly, from the npm registry) served over the wire protocol by pglite-socket,
 * run as a Node.js subprocess from {@code src/test/pglite/server.mjs}. Connect with the official
 * JDBC driver through {@link #jdbcUrl()}.
 *
 * <p><b>Install.</b> The first start runs {@code npm ci} in {@code src/test/pglite} when its
 * {@code node_modules} is missing or older than {@code package-lock.json}; its output goes to
 * {@code target/pglite-npm-ci.log}. Without {@code node} or {@code npm} on the PATH the test is
 * skipped, except where the environment variable {@code CI} is set: there it fails, so that a
 * machine without Node.js cannot pass by skipping.
 *
 * <p><b>One backend.</b> PGlite is a single PostgreSQL backend, and pglite-socket multiplexes its
 * clients onto it message by message, keeping a transaction's messages together. So every
 * connection has the same {@code pg_backend_pid()} and shares one session: SET, named prepared
 * statements and session advisory locks are seen by all of them and outlive the connection that
 * made them (an open transaction is rolled back when its client goes). A statement sent while
 * another connection is inside a transaction waits until that transaction ends, so one thread
 * must not hold a transaction open on one connection and then use another. Cancel requests (and
 * so {@code Statement.setQueryTimeout}) are ignored. {@link #start()} serves up to
 * {@value #DEFAULT_MAX_CONNECTIONS} clients: with pglite-socket's own default of one, a client
 * that connects right after another disconnected is often refused. The URL turns off the
 * driver's named server-side statements ({@code prepareThreshold=0}): with them, a second
 * connection's first {@code S_1} meets the first connection's ("prepared statement "S_1" already
 * exists").
 *
 * <p><b>Lifetime.</b> The server exits when its stdin closes: {@link #close()} closes it and waits,
 * and a JVM that dies closes the pipe too, so no server outlives its test run.
 */
public final class PgliteServer implements AutoCloseable {
    /** Where {@code server.mjs}, {@code package.json} and {@code package-lock.json} live. */
    static final Path PACKAGE_DIR = projectDir().resolve("src/test/pglite");

    private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern READY = Pattern.compile("READY port=(\\d+)");
    static final int DEFAULT_MAX_CONNECTIONS = 8;

    private final Process process;
    private final int port;
    private final Path stderrLog;

    private PgliteServer(Process process, int port, Path stderrLog) {
        this.process = process;
        this.port = port;
        this.stderrLog = stderrLog;
    }

    private static PgliteServer shared;
    /**
     * Clients at once on the shared server: the most a test opens (six racing writers and its own connection) with
     * room for connections the server still counts after their clients closed them.
     */
    static final int SHARED_MAX_CONNECTIONS = 16;

    /**
     * One server for every test class of this JVM that asks (starting one takes seconds), each class using tables
     * of its own; it stops when the JVM exits, as its stdin pipe closes.
     */
    public static synchronized PgliteServer shared() throws IOException, InterruptedException {
        if (shared == null || !shared.process.isAlive()) {
            shared = start(SHARED_MAX_CONNECTIONS);
        }
        return shared;
    }

    /** Starts a server on a free port for up to {@value #DEFAULT_MAX_CONNECTIONS} clients at once. */
    public static PgliteServer start() throws IOException, InterruptedException {
        return start(DEFAULT_MAX_CONNECTIONS);
    }

    /** Starts a server on a free port that serves up to {@code maxConnections} clients at once. */
    public static PgliteServer start(int maxConnections) throws IOException, InterruptedException {
        String node = requireTool("node");
        installPackages();
        Path log = Files.createTempFile(targetDir(), "pglite-server-", ".log");
        Process process = new ProcessBuilder(
                        node, "server.mjs", "--port", "0", "--max-connections", Integer.toString(maxConnections))
                .directory(PACKAGE_DIR.toFile())
                .redirectError(log.toFile())
                .start();
        try {
            int port = awaitReady(process, log);
            return new PgliteServer(process, port, log);
        } catch (IOException | RuntimeException | InterruptedException e) {
            stop(process);
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /**
     * The JDBC URL of the {@code postgres} database as user {@code postgres} (PGlite trusts every
     * client; any password is accepted, and any database name or user gives {@code postgres}).
     * SSL is off ({@code sslmode=disable}): pglite-socket answers the SSL request with "no", so the
     * default {@code prefer} works too and {@code require} fails. {@code prepareThreshold=0} keeps
     * the driver to unnamed statements (see the class comment); {@code socketTimeout} turns a
     * statement stuck behind another connection's transaction into an error instead of a hang.
     */
    public String jdbcUrl() {
        return baseJdbcUrl() + "&prepareThreshold=0&socketTimeout=" + SOCKET_TIMEOUT.toSeconds();
    }

    /**
     * The server as a user names it to srouter ({@code --postgres-url} / {@code POSTGRES_URL}), with the driver settings
     * PGlite's one shared session needs (see {@link #jdbcUrl()}).
     */
    public String postgresUrl() {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable&prepareThreshold=0&socketTimeout="
                + SOCKET_TIMEOUT.toSeconds();
    }

    /** The URL without the driver settings {@link #jdbcUrl()} adds, for tests of what they avoid. */
    String baseJdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&sslmode=disable";
    }

    /** What the server wrote to stderr so far, for failure messages. */
    public String log() {
        return readQuietly(stderrLog);
    }

    /** Closes the server's stdin, waits for it to exit, and destroys it if it does not. */
    @Override
    public void close() {
        stop(process);
    }

    private static int awaitReady(Process process, Path log) throws IOException, InterruptedException {
        BufferedReader stdout =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = stdout.readLine()) != null; ) {
                    if (READY.matcher(line).matches()) return line;
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("PGlite server printed no READY line within " + READY_TIMEOUT.toSeconds()
                    + " s; its stderr:\n" + readQuietly(log));
        } catch (ExecutionException e) {
            throw new IOException("reading the PGlite server's stdout failed", e.getCause());
        }
        if (line == null) {
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw new IOException("PGlite server exited"
                    + (process.isAlive() ? "" : " with code " + process.exitValue())
                    + " before it was ready; its stderr:\n" + readQuietly(log));
        }
        Matcher m = READY.matcher(line);
        m.matches();
        return Integer.parseInt(m.group(1));
    }

    private static void stop(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the pipe is gone already: the server has seen its stdin close
        }
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroy();
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code npm ci} once per JVM when node_modules is missing or older than the lock file. */
    private static synchronized void installPackages() throws IOException, InterruptedException {
        Path installed = PACKAGE_DIR.resolve("node_modules/.package-lock.json");
        Path lock = PACKAGE_DIR.resolve("package-lock.json");
        if (Files.exists(installed)
                && !Files.getLastModifiedTime(installed).toInstant().isBefore(Files.getLastModifiedTime(lock).toInstant())) {
            return;
        }
        String npm = requireTool("npm");
        Path log = targetDir().resolve("pglite-npm-ci.log");
        List<String> command = new ArrayList<>(List.of(npm, "ci", "--no-audit", "--no-fund"));
        Process process = new ProcessBuilder(command)
                .directory(PACKAGE_DIR.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                .start();
        if (!process.waitFor(NPM_CI_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException("npm ci in " + PACKAGE_DIR + " did not finish within " + NPM_CI_TIMEOUT.toMinutes()
                    + " min; its output:\n" + readQuietly(log));
        }
        if (process.exitValue() != 0) {
            throw new IOException("npm ci in " + PACKAGE_DIR + " failed with code " + process.exitValue()
                    + "; its output:\n" + readQuietly(log));
        }
    }

    /** The tool's path on the PATH; skips the test when missing, and fails it where CI is set. */
    private static String requireTool(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        boolean windows = System.getProperty("os.name").startsWith("Windows");
        List<String> names = windows ? List.of(name + ".exe", name + ".cmd") : List.of(name);
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            for (String file : names) {
                Path candidate = Path.of(dir, file);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate.toString();
            }
        }
        String message = name + " is not on the PATH: the PostgreSQL tests run PGlite under Node.js (node and npm, "
                + "Node.js 20 or newer); install Node.js to run them";
        if (System.getenv("CI") != null) throw new IllegalStateException(message + " (CI is set, so this fails)");
        throw new TestAbortedException(message);
    }

    private static Path projectDir() {
        // Surefire sets basedir; an IDE runs tests from the project directory.
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    private static Path targetDir() throws IOException {
        return Files.createDirectories(projectDir().resolve("target"));
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
    }
}
