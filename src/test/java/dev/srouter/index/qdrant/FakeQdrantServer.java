package dev.srouter.index.qdrant;

import dev.srouter.index.qdrant.FakeQdrantFilters.PointKey;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.HandlerRegistry;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory Qdrant for tests: a real gRPC server on 127.0.0.1, built from the service bases
 * in the official {@code io.qdrant:client} jar and meant to be driven by
 * {@code io.qdrant.client.QdrantClient} exactly as production drives a real Qdrant.
 *
 * <p><b>What it implements.</b> {@code Qdrant/HealthCheck}; {@code Collections/} Create (one
 * unnamed dense vector: size and distance), Get, List, CollectionExists, Delete; {@code Points/}
 * Upsert (with {@code update_filter} and {@code update_mode}), Get, Delete, SetPayload,
 * OverwritePayload, DeletePayload, ClearPayload, UpdateBatch (upsert, delete_points,
 * set_payload, overwrite_payload, delete_payload, clear_payload), Scroll, Count, Search,
 * SearchBatch, Query and QueryBatch (dense {@code nearest} only), CreateFieldIndex and
 * DeleteFieldIndex. Filters are described in {@link FakeQdrantFilters}. Errors carry the status
 * and message real Qdrant answers with, e.g. {@code NOT_FOUND} "Collection `x` doesn't exist!",
 * {@code INVALID_ARGUMENT} "Wrong input: Vector dimension error: expected dim: 4, got 7",
 * {@code NOT_FOUND} "No point with id 7 found" for a payload write to a missing id.
 *
 * <p><b>What it refuses.</b> Anything else fails loudly and never silently: other methods and
 * services with {@code UNIMPLEMENTED}; named, sparse and multi vectors, prefetch, non-nearest
 * queries, order_by, nested payload key paths in writes and selectors, and unsupported filter
 * conditions with {@code UNIMPLEMENTED} naming what is unsupported.
 *
 * <p><b>Deviations.</b> UpdateBatch is all or nothing (real Qdrant may keep the operations before
 * a failing one); a payload write to ids checks every id before writing any; {@code match text}
 * is a substring match (as Qdrant without a full-text index). Dense vectors come back in the
 * deprecated {@code VectorOutput.data} field, as real Qdrant 1.17 sends them.
 *
 * <p><b>Atomicity.</b> All state lives in one {@link FakeQdrantStore} behind one lock, so each
 * request is atomic: a conditional upsert is a real compare-and-set.
 *
 * <p><b>API key.</b> With {@link #apiKey(String)} set, every call but HealthCheck (which the server
 * lets through without a key, src/tonic/auth.rs) must carry
 * the metadata header {@code api-key} (or {@code authorization: Bearer KEY}) equal to it, else it
 * fails with {@code UNAUTHENTICATED}. The key is never printed or logged.
 *
 * <p><b>Call counting.</b> Every call that reaches the server is counted under its method name
 * without the package, {@code Service/Method}: {@code "Points/Scroll"}, {@code "Points/Upsert"},
 * {@code "Collections/Get"}, {@code "Qdrant/HealthCheck"}. Failed, unauthenticated, injected-fault
 * and unimplemented calls are counted too.
 *
 * <p><b>Fault injection.</b> Faults count calls from the moment they are set, optionally only
 * calls to one method: {@link #failCall}, {@link #failCalls}, {@link #dropConnectionOnCall},
 * {@link #hangCall}, and {@link #latency(Duration)}. If several faults fall on the same call, the
 * one set first wins and the others are used up. Fault checks come before the API key check.
 *
 * <p>The public port is a tiny TCP proxy in front of the gRPC server's internal port (both on
 * 127.0.0.1); it lets {@link #dropConnectionOnCall} close a client's connection after the call
 * was applied, as a network failure after a write landed would.
 *
 * <p>Manual trials: {@code mvn -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.srouter.index.qdrant.FakeQdrantServer -Dexec.args="--port 6334 [--strict-mode] [--server-version V] [--read-only-api-key KEY] [--api-key
 * KEY] [--latency-ms 2]"}.
 */
public final class FakeQdrantServer implements AutoCloseable {
    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private enum Kind { FAIL, DROP, HANG }

    private static final class Fault {
        final Kind kind;
        final String method;
        final Status.Code code;
        int remaining;

        Fault(Kind kind, String method, int n, Status.Code code) {
            if (n < 1) {
                throw new IllegalArgumentException("n must be 1 or more (1 = the next call), got " + n);
            }
            this.kind = kind;
            this.method = method;
            this.remaining = n;
            this.code = code;
        }
    }

    private final FakeQdrantStore store = new FakeQdrantStore();
    private final Object hooks = new Object();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<ServerCall<?, ?>> hung = new ArrayList<>();
    private int total;
    private volatile String apiKey;
    private volatile String readOnlyKey;
    private volatile String version = FakeQdrantServices.VERSION;
    private volatile Duration latency = Duration.ZERO;
    private static final int RECORDED = 200;
    private final Map<String, java.util.ArrayDeque<Object>> recorded = new LinkedHashMap<>();

    private final Server grpc;
    private final ServerSocket proxy;
    private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Pipe> pipesByUpstreamPort = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private FakeQdrantServer(int port, ServerCredentials credentials) throws IOException {
        grpc = NettyServerBuilder.forAddress(new InetSocketAddress(LOOPBACK, 0), credentials)
                .addService(new FakeQdrantServices.Qdrant(this::serverVersion))
                .addService(new FakeQdrantServices.Collections(store))
                .addService(new FakeQdrantServices.Points(store, this::serverVersion))
                .fallbackHandlerRegistry(new Unimplemented())
                .intercept(new Hooks())
                .build()
                .start();
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, port));
        } catch (IOException e) {
            socket.close();
            grpc.shutdownNow();
            throw e;
        }
        proxy = socket;
        Thread acceptor = new Thread(this::acceptLoop, "fake-qdrant-accept-" + proxy.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts a server on a free port of 127.0.0.1.
     *
     * @return the running server; close it when done
     */
    public static FakeQdrantServer start() {
        return start(0);
    }

    /**
     * Starts a server on 127.0.0.1:{@code port} ({@code 0} picks a free port).
     *
     * @throws IllegalStateException if the port cannot be bound
     */
    public static FakeQdrantServer start(int port) {
        try {
            return new FakeQdrantServer(port, InsecureServerCredentials.create());
        } catch (IOException e) {
            throw new IllegalStateException("fake Qdrant cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts a server that speaks gRPC over TLS only (as Qdrant Cloud does), with a self-signed
     * certificate for 127.0.0.1 made by the JDK's keytool, on a free port. A client that trusts
     * only the usual certificate authorities fails the handshake; one speaking plaintext gets no
     * HTTP/2 answer.
     */
    public static FakeQdrantServer startTls() {
        try {
            return new FakeQdrantServer(0, dev.srouter.index.TestCertificates.selfSignedServerCredentials());
        } catch (IOException e) {
            throw new IllegalStateException("fake Qdrant cannot listen with TLS: " + e.getMessage(), e);
        }
    }

    // ---- server version, strict mode, keys ---------------------------------------------------

    /**
     * Acts as Qdrant {@code version} ({@code "1.15.3"}): HealthCheck reports it, and Upsert drops the
     * fields that version does not know, as the server's prost decoder silently drops unknown
     * fields: {@code update_filter} (first in 1.15.4) and {@code update_mode} (first in 1.17.0).
     * The default is {@value FakeQdrantServices#VERSION}.
     *
     * @return this server
     */
    public FakeQdrantServer serverVersion(String version) {
        this.version = version == null ? FakeQdrantServices.VERSION : version;
        return this;
    }

    /** The version this server acts as. */
    public String serverVersion() {
        return version;
    }

    /**
     * Turns strict mode on (or off, with {@code null}) for every collection created from now on that
     * does not set its own, as Qdrant Cloud does for new collections; {@link #CLOUD_STRICT_MODE} is
     * Cloud's setting. Collections that exist keep theirs.
     *
     * @return this server
     */
    public FakeQdrantServer strictMode(io.qdrant.client.grpc.Collections.StrictModeConfig config) {
        store.defaultStrictMode(config);
        return this;
    }

    /** Sets the strict mode of one existing collection ({@code null}: off), as UpdateCollection would. */
    public void strictMode(String collection, io.qdrant.client.grpc.Collections.StrictModeConfig config) {
        direct(() -> {
            store.strictMode(collection, config);
            return null;
        });
    }

    /** Strict mode as Qdrant Cloud sets it on a new collection: on, no filtering on unindexed keys. */
    public static final io.qdrant.client.grpc.Collections.StrictModeConfig CLOUD_STRICT_MODE = FakeQdrantStrictMode.CLOUD;

    /**
     * Accepts {@code key} as a read-only key (Qdrant's {@code service.read_only_api_key}): calls
     * that read pass, calls that write fail with {@code PERMISSION_DENIED} "Forbidden: Global manage
     * access is required", as the server's RBAC answers a key with global read access.
     *
     * @return this server
     */
    public FakeQdrantServer readOnlyApiKey(String key) {
        this.readOnlyKey = key == null || key.isEmpty() ? null : key;
        return this;
    }

    /**
     * The requests a method received since start or {@link #resetCounts()}, oldest first (the last
     * {@value #RECORDED} of each method), e.g. to check what a client sent in a field.
     *
     * @param method {@code Service/Method} as in {@code "Points/Upsert"}
     */
    public List<Object> requests(String method) {
        synchronized (hooks) {
            java.util.ArrayDeque<Object> q = recorded.get(method);
            return q == null ? List.of() : new ArrayList<>(q);
        }
    }

    /**
     * Requires every call from now on to carry this key in the {@code api-key} header
     * ({@code null} or empty: no key needed).
     *
     * @return this server
     */
    public FakeQdrantServer apiKey(String key) {
        this.apiKey = key == null || key.isEmpty() ? null : key;
        return this;
    }

    /** The public port on 127.0.0.1, which the Qdrant gRPC client connects to. */
    public int port() {
        return proxy.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Stops listening, closes every client connection and drops the state. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            proxy.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        closeAllPipes();
        grpc.shutdownNow();
        try {
            grpc.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (hooks) {
            hung.clear();
        }
    }

    // ---- call counting --------------------------------------------------------------------

    /**
     * How many calls to a method reached the server since start or {@link #resetCounts()},
     * failed ones included.
     *
     * @param method {@code Service/Method} as in {@code "Points/Scroll"} or {@code "Collections/Get"}
     */
    public int calls(String method) {
        synchronized (hooks) {
            return counts.getOrDefault(method, 0);
        }
    }

    /** How many calls of any method reached the server since start or {@link #resetCounts()}. */
    public int totalCalls() {
        synchronized (hooks) {
            return total;
        }
    }

    /** A copy of the per-method counts ({@code Service/Method} to calls), in first-call order. */
    public Map<String, Integer> callCounts() {
        synchronized (hooks) {
            return new LinkedHashMap<>(counts);
        }
    }

    /** Sets every count back to zero (faults already set keep counting). */
    public void resetCounts() {
        synchronized (hooks) {
            counts.clear();
            recorded.clear();
            total = 0;
        }
    }

    // ---- fault injection ------------------------------------------------------------------

    /**
     * Delays every call from now on by {@code delay} before it is handled ({@link Duration#ZERO}
     * to stop). With a client deadline shorter than the delay the client sees
     * {@code DEADLINE_EXCEEDED}.
     *
     * @return this server
     */
    public FakeQdrantServer latency(Duration delay) {
        this.latency = delay == null ? Duration.ZERO : delay;
        return this;
    }

    /**
     * Makes the {@code n}-th call from now (1 = the next) fail with {@code code}, without being
     * applied.
     *
     * @return this server
     */
    public FakeQdrantServer failCall(int n, Status.Code code) {
        return failCall(null, n, code);
    }

    /**
     * Like {@link #failCall(int, Status.Code)}, counting only calls to {@code method}
     * ({@code "Points/Upsert"}; {@code null} for any method).
     *
     * @return this server
     */
    public FakeQdrantServer failCall(String method, int n, Status.Code code) {
        if (code == null || code == Status.Code.OK) {
            throw new IllegalArgumentException("a failure needs a code other than OK");
        }
        return add(new Fault(Kind.FAIL, method, n, code));
    }

    /**
     * Makes each of the next {@code count} calls fail with {@code code}, without being applied.
     *
     * @return this server
     */
    public FakeQdrantServer failCalls(int count, Status.Code code) {
        return failCalls(null, count, code);
    }

    /**
     * Like {@link #failCalls(int, Status.Code)}, counting only calls to {@code method}
     * ({@code null} for any method).
     *
     * @return this server
     */
    public FakeQdrantServer failCalls(String method, int count, Status.Code code) {
        for (int i = 1; i <= count; i++) {
            failCall(method, i, code);
        }
        return this;
    }

    /**
     * Lets the {@code n}-th call from now (1 = the next) be applied, then closes its connection
     * without an answer: the client sees {@code UNAVAILABLE} for a write that did land.
     *
     * @return this server
     */
    public FakeQdrantServer dropConnectionOnCall(int n) {
        return dropConnectionOnCall(null, n);
    }

    /**
     * Like {@link #dropConnectionOnCall(int)}, counting only calls to {@code method}
     * ({@code null} for any method).
     *
     * @return this server
     */
    public FakeQdrantServer dropConnectionOnCall(String method, int n) {
        return add(new Fault(Kind.DROP, method, n, null));
    }

    /**
     * Makes the {@code n}-th call from now (1 = the next) never answer and never be applied: the
     * client's deadline fires ({@code DEADLINE_EXCEEDED}).
     *
     * @return this server
     */
    public FakeQdrantServer hangCall(int n) {
        return hangCall(null, n);
    }

    /**
     * Like {@link #hangCall(int)}, counting only calls to {@code method} ({@code null} for any
     * method).
     *
     * @return this server
     */
    public FakeQdrantServer hangCall(String method, int n) {
        return add(new Fault(Kind.HANG, method, n, null));
    }

    /** Removes every pending fault and the latency. Calls already hanging stay hung. */
    public void clearFaults() {
        synchronized (hooks) {
            faults.clear();
        }
        latency = Duration.ZERO;
    }

    private FakeQdrantServer add(Fault fault) {
        synchronized (hooks) {
            faults.add(fault);
        }
        return this;
    }

    /** Counts a call and returns the fault that falls on it, if any. */
    private Fault arrive(String method) {
        synchronized (hooks) {
            counts.merge(method, 1, Integer::sum);
            total++;
            Fault fired = null;
            for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
                Fault f = it.next();
                if (f.method != null && !f.method.equals(method)) {
                    continue;
                }
                if (--f.remaining == 0) {
                    it.remove();
                    if (fired == null) {
                        fired = f;
                    }
                }
            }
            return fired;
        }
    }

    private static String shortName(String fullMethodName) {
        return fullMethodName.startsWith("qdrant.") ? fullMethodName.substring("qdrant.".length()) : fullMethodName;
    }

    /** Counting, faults, latency and the API key, in front of every service. */
    private final class Hooks implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            String method = shortName(call.getMethodDescriptor().getFullMethodName());
            Fault fault = arrive(method);
            Duration delay = latency;
            if (!delay.isZero()) {
                try {
                    Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (fault != null && fault.kind == Kind.FAIL) {
                call.close(Status.fromCode(fault.code).withDescription("fake Qdrant: injected " + fault.code
                        + " on " + method), new Metadata());
                return new ServerCall.Listener<>() {};
            }
            if (fault != null && fault.kind == Kind.HANG) {
                synchronized (hooks) {
                    hung.add(call);
                }
                return new ServerCall.Listener<>() {};
            }
            // As in the server (src/tonic/auth.rs), the health check needs no key.
            Status denied = method.equals("Qdrant/HealthCheck") ? null : authenticate(headers, method);
            if (denied != null) {
                call.close(denied, new Metadata());
                return new ServerCall.Listener<>() {};
            }
            ServerCall.Listener<Q> listener = fault != null && fault.kind == Kind.DROP
                    ? next.startCall(new DroppingCall<>(call), headers)
                    : next.startCall(call, headers);
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
                @Override
                public void onMessage(Q message) {
                    synchronized (hooks) {
                        java.util.ArrayDeque<Object> q = recorded.computeIfAbsent(method, m -> new java.util.ArrayDeque<>());
                        if (q.size() == RECORDED) {
                            q.removeFirst();
                        }
                        q.addLast(message);
                    }
                    super.onMessage(message);
                }
            };
        }
    }

    /** The methods a read-only key may not call. */
    private static final Set<String> WRITES = Set.of("Points/Upsert", "Points/Delete", "Points/UpdateVectors",
            "Points/DeleteVectors", "Points/SetPayload", "Points/OverwritePayload", "Points/DeletePayload",
            "Points/ClearPayload", "Points/UpdateBatch", "Points/CreateFieldIndex", "Points/DeleteFieldIndex",
            "Collections/Create", "Collections/Update", "Collections/Delete", "Collections/UpdateAliases");

    private Status authenticate(Metadata headers, String method) {
        String expected = apiKey;
        if (expected == null) {
            return null;
        }
        String given = headers.get(API_KEY);
        if (given == null) {
            String auth = headers.get(AUTHORIZATION);
            if (auth != null && auth.startsWith("Bearer ")) {
                given = auth.substring("Bearer ".length());
            }
        }
        if (given == null) {
            return Status.UNAUTHENTICATED.withDescription("Must provide an API key or an Authorization bearer token");
        }
        String readOnly = readOnlyKey;
        if (readOnly != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), readOnly.getBytes(StandardCharsets.UTF_8))) {
            return WRITES.contains(method) ? Status.PERMISSION_DENIED.withDescription("Forbidden: Global manage access is required") : null;
        }
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            return Status.UNAUTHENTICATED.withDescription("Invalid API key or JWT");
        }
        return null;
    }

    /** Lets the handler run, swallows its answer and closes the client's connection instead. */
    private final class DroppingCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        DroppingCall(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            // never answered
        }

        @Override
        public void sendMessage(R message) {
            // never answered
        }

        @Override
        public void close(Status status, Metadata trailers) {
            dropConnectionOf(delegate().getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        }
    }

    /** Unknown services and methods: counted, then {@code UNIMPLEMENTED}. */
    private static final class Unimplemented extends HandlerRegistry {
        private static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(InputStream value) {
                return value;
            }

            @Override
            public InputStream parse(InputStream stream) {
                return stream;
            }
        };

        @Override
        public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
            MethodDescriptor<InputStream, InputStream> descriptor = MethodDescriptor.<InputStream, InputStream>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNKNOWN)
                    .setFullMethodName(methodName)
                    .setRequestMarshaller(RAW)
                    .setResponseMarshaller(RAW)
                    .build();
            return ServerMethodDefinition.create(descriptor, (call, headers) -> {
                call.close(Status.UNIMPLEMENTED.withDescription("fake Qdrant does not implement " + methodName),
                        new Metadata());
                return new ServerCall.Listener<>() {};
            });
        }
    }

    // ---- the TCP proxy --------------------------------------------------------------------

    /** One client connection and its connection to the internal gRPC port. */
    private final class Pipe {
        final Socket client;
        final Socket upstream;

        Pipe(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            pump(client, upstream, "up");
            pump(upstream, client, "down");
        }

        private void pump(Socket from, Socket to, String direction) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream()) {
                    OutputStream out = to.getOutputStream();
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException ignored) {
                    // connection gone
                } finally {
                    close();
                }
            }, "fake-qdrant-pipe-" + direction + "-" + upstream.getLocalPort());
            t.setDaemon(true);
            t.start();
        }

        void close() {
            pipes.remove(this);
            pipesByUpstreamPort.remove(upstream.getLocalPort(), this);
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = proxy.accept();
            } catch (IOException e) {
                return;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(grpc.getListenSockets().get(0));
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                Pipe pipe = new Pipe(client, upstream);
                pipes.add(pipe);
                pipesByUpstreamPort.put(upstream.getLocalPort(), pipe);
                pipe.start();
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** Closes the client connection a call came through (every connection if it is unknown). */
    private void dropConnectionOf(SocketAddress remote) {
        Pipe pipe = remote instanceof InetSocketAddress a ? pipesByUpstreamPort.get(a.getPort()) : null;
        if (pipe != null) {
            pipe.close();
        } else {
            closeAllPipes();
        }
    }

    private void closeAllPipes() {
        for (Pipe p : new ArrayList<>(pipes)) {
            p.close();
        }
    }

    // ---- direct state access --------------------------------------------------------------

    private static <T> T direct(java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (StatusRuntimeException e) {
            throw new IllegalArgumentException(e.getStatus().getDescription(), e);
        }
    }

    /**
     * Creates a collection with one unnamed dense vector, as {@code Collections/Create} would
     * (not counted as a call).
     *
     * @param distance {@code Cosine}, {@code Dot}, {@code Euclid} or {@code Manhattan}, any case
     * @throws IllegalArgumentException if it exists or the parameters are invalid
     */
    public void createCollection(String name, int dim, String distance) {
        Distance d = null;
        for (Distance candidate : Distance.values()) {
            if (candidate != Distance.UNRECOGNIZED && candidate.name().equalsIgnoreCase(distance)) {
                d = candidate;
            }
        }
        if (d == null || d == Distance.UnknownDistance) {
            throw new IllegalArgumentException("unknown distance " + distance);
        }
        CreateCollection req = CreateCollection.newBuilder()
                .setCollectionName(name)
                .setVectorsConfig(VectorsConfig.newBuilder()
                        .setParams(VectorParams.newBuilder().setSize(dim).setDistance(d)))
                .build();
        direct(() -> {
            store.create(req);
            return null;
        });
    }

    /** The collection names, sorted. */
    public List<String> collections() {
        return store.names();
    }

    /**
     * Writes a point directly, as another client (e.g. the Python library) would have written
     * it: replaces any point with that id; the vector is normalised for Cosine collections.
     *
     * @param id an unsigned integer ({@code "42"}) or a UUID
     * @param payload plain Java values: null, Boolean, integers, floating point, strings, lists,
     *     maps with string keys
     */
    public void putPoint(String collection, String id, float[] vector, Map<String, Object> payload) {
        direct(() -> {
            store.put(collection, PointKey.parse(id), vector, FakeQdrantFilters.toPayload(payload));
            return null;
        });
    }

    /**
     * A point's payload as plain Java values (Long for integers, Double for doubles, List, Map),
     * or {@code null} if there is no such point.
     *
     * @throws IllegalArgumentException if the collection does not exist
     */
    public Map<String, Object> payloadOf(String collection, String id) {
        return direct(() -> {
            Map<String, io.qdrant.client.grpc.JsonWithInt.Value> p = store.payload(collection, PointKey.parse(id));
            return p == null ? null : FakeQdrantFilters.toJava(p);
        });
    }

    /**
     * A point's stored vector (normalised for Cosine), or {@code null} if there is no such point.
     *
     * @throws IllegalArgumentException if the collection does not exist
     */
    public float[] vectorOf(String collection, String id) {
        return direct(() -> store.vector(collection, PointKey.parse(id)));
    }

    /**
     * How many points a collection holds.
     *
     * @throws IllegalArgumentException if the collection does not exist
     */
    public int pointCount(String collection) {
        return direct(() -> store.size(collection));
    }

    /**
     * The payload fields with an index (CreateFieldIndex), in creation order.
     *
     * @throws IllegalArgumentException if the collection does not exist
     */
    public List<String> fieldIndexes(String collection) {
        return new ArrayList<>(direct(() -> store.fieldIndexes(collection)).keySet());
    }

    /**
     * The payload fields with an index and their schema types, in creation order.
     *
     * @throws IllegalArgumentException if the collection does not exist
     */
    public Map<String, PayloadSchemaType> fieldIndexSchemas(String collection) {
        return direct(() -> store.fieldIndexes(collection));
    }

    /** Drops every collection (counts and faults are kept). */
    public void clear() {
        store.clear();
    }

    // ---- command line ---------------------------------------------------------------------

    /**
     * Serves until the process is stopped: {@code --port N} (default 6334), {@code --api-key KEY}
     * (default none), {@code --read-only-api-key KEY}, {@code --server-version V} (default
     * {@value FakeQdrantServices#VERSION}), {@code --strict-mode} (Qdrant Cloud's, on new collections),
     * {@code --latency-ms N} (default 0).
     */
    public static void main(String[] args) throws InterruptedException {
        int port = 6334;
        String key = null;
        String readOnlyKey = null;
        String version = null;
        boolean strict = false;
        long latencyMs = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--strict-mode")) {
                strict = true;
                continue;
            }
            if (i + 1 >= args.length) {
                usage("missing value for " + a);
            }
            switch (a) {
                case "--read-only-api-key":
                    readOnlyKey = args[++i];
                    break;
                case "--server-version":
                    version = args[++i];
                    break;
                case "--port":
                    port = Integer.parseInt(args[++i]);
                    break;
                case "--api-key":
                    key = args[++i];
                    break;
                case "--latency-ms":
                    latencyMs = Long.parseLong(args[++i]);
                    break;
                default:
                    usage("unknown option " + a);
            }
        }
        FakeQdrantServer server = start(port).apiKey(key).readOnlyApiKey(readOnlyKey).serverVersion(version)
                .strictMode(strict ? CLOUD_STRICT_MODE : null).latency(Duration.ofMillis(latencyMs));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "fake-qdrant-shutdown"));
        System.out.println("fake Qdrant listening on " + server.url());
        if (key != null || latencyMs > 0) {
            System.out.println((key != null ? "api-key required" : "no api-key")
                    + String.format(Locale.ROOT, ", latency %d ms per call", latencyMs));
        }
        System.out.flush();
        stopped.await();
    }

    private static void usage(String problem) {
        System.err.println("fake Qdrant: " + problem);
        System.err.println("usage: FakeQdrantServer [--port N] [--api-key KEY] [--read-only-api-key KEY] [--server-version V] "
                + "[--strict-mode] [--latency-ms N]");
        System.exit(2);
    }
}
