package dev.srouter.index.pinecone;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.pinecone.proto.CreateNamespaceRequest;
import io.pinecone.proto.DeleteNamespaceRequest;
import io.pinecone.proto.DeleteRequest;
import io.pinecone.proto.DeleteResponse;
import io.pinecone.proto.DescribeIndexStatsRequest;
import io.pinecone.proto.DescribeIndexStatsResponse;
import io.pinecone.proto.DescribeNamespaceRequest;
import io.pinecone.proto.FetchByMetadataRequest;
import io.pinecone.proto.FetchByMetadataResponse;
import io.pinecone.proto.FetchRequest;
import io.pinecone.proto.FetchResponse;
import io.pinecone.proto.ListItem;
import io.pinecone.proto.ListNamespacesRequest;
import io.pinecone.proto.ListNamespacesResponse;
import io.pinecone.proto.ListRequest;
import io.pinecone.proto.ListResponse;
import io.pinecone.proto.NamespaceDescription;
import io.pinecone.proto.NamespaceSummary;
import io.pinecone.proto.Pagination;
import io.pinecone.proto.QueryRequest;
import io.pinecone.proto.QueryResponse;
import io.pinecone.proto.ScoredVector;
import io.pinecone.proto.UpdateRequest;
import io.pinecone.proto.UpdateResponse;
import io.pinecone.proto.UpsertRequest;
import io.pinecone.proto.UpsertResponse;
import io.pinecone.proto.Usage;
import io.pinecone.proto.Vector;
import io.pinecone.proto.VectorServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An in-memory Pinecone for tests, spoken to by the official Java client ({@code io.pinecone:pinecone-client})
 * exactly as production speaks to Pinecone: an HTTP control plane ({@link #controlUrl()}, see
 * {@link FakePineconeControlPlane}) and a gRPC data plane ({@code VectorService}) per index.
 *
 * <pre>{@code
 * try (FakePineconeServer server = FakePineconeServer.start()) {
 *     Pinecone pinecone = new Pinecone.Builder(FakePineconeServer.DEFAULT_API_KEY)
 *             .withHost(server.controlUrl()).withTlsEnabled(false).build();
 *     pinecone.createServerlessIndex("routes", "cosine", 384, "aws", "us-east-1", "disabled", Map.of());
 *     Index index = pinecone.getIndexConnection("routes");   // dials 127.0.0.1:<port of "routes">
 * }
 * }</pre>
 *
 * <p><b>Hosts.</b> Nothing in a data-plane request names the index: real Pinecone gives each index a host. So
 * does this server: every index gets its own 127.0.0.1 port ({@link #grpcPort(String)}, the {@code host} in the
 * index description), a relay in front of the one gRPC server. The relay is also how
 * {@link #dropConnectionOnCall(int)} cuts a connection. Beware that the Pinecone client caches index connections
 * in a static map keyed by index name only (not host, not API key) until {@code Index.close()}: tests that start
 * several servers should use distinct index names or close their {@code Index}.
 *
 * <p><b>Data plane</b> (gRPC metadata {@code api-key} checked, else UNAUTHENTICATED): Upsert, Query, Fetch,
 * List, Delete, Update, DescribeIndexStats, with Pinecone's documented limits (1,000 vectors or 2 MB per upsert,
 * 1,000 ids per fetch or delete, 40 KB of metadata per vector, top_k 1..10,000 and at most 1,000 with values or metadata, list limit 1..1,000,
 * default 100). Refused loudly: sparse values (INVALID_ARGUMENT), the deprecated multi-vector {@code queries},
 * describe-index-stats with a filter (serverless indexes refuse it; see {@link #statsFilterSupported(boolean)})
 * and the namespace and fetch-by-metadata calls (UNIMPLEMENTED naming the call). Pinecone's other rules: ids and
 * namespaces of at most 512 ASCII characters (no NUL), fetch refusing ids with spaces, metadata counted the stricter
 * of protobuf and escaped JSON ({@link #metadataSize}), List refused on pod and BYOC indexes, a configurable largest
 * list limit ({@link #maxListLimit}), the project's serverless index quota ({@link #maxServerlessIndexes}, a 403),
 * used-up monthly units ({@link #monthlyUnitsUsedUp}, a 429), indexes that fail to initialize
 * ({@link #initializationFails}).
 *
 * <p><b>Consistency.</b> By default a write is visible to the next read. {@link #freshnessLag} makes freshness
 * time-based as on Pinecone's serverless indexes: per namespace, with separate lags for Fetch, List (and
 * DescribeIndexStats) and Query, writes becoming visible in the order they were made. {@link #visibilityDelay(int)}
 * makes each write invisible to the next N read calls instead and visible from the N+1-th (deterministic, no clock;
 * kept for tests that count reads). The state-access hooks ({@link #vectorCount}, {@link #metadataOf}, ...) always show
 * the latest writes.
 *
 * <p><b>Call counting.</b> Every call is counted, failed and refused ones included, under these names: data
 * plane {@code "Upsert" "Query" "Fetch" "List" "Delete" "Update" "DescribeIndexStats"} (and the refused
 * {@code "ListNamespaces" "DescribeNamespace" "CreateNamespace" "DeleteNamespace" "FetchByMetadata"}); control
 * plane {@code "http:POST /indexes" "http:GET /indexes" "http:GET /indexes/{name}" "http:DELETE /indexes/{name}"}
 * and, for anything else, {@code "http:METHOD /raw/path"}.
 *
 * <p>All state lives in memory behind one lock. The API key is never printed or logged.
 */
public final class FakePineconeServer implements AutoCloseable {

    /** The API key a server accepts unless {@link #apiKey(String)} says otherwise. */
    public static final String DEFAULT_API_KEY = "fake-pinecone-api-key";

    static final int MAX_UPSERT_VECTORS = 1000;
    static final int MAX_REQUEST_BYTES = 2 * 1024 * 1024;
    static final int MAX_IDS_PER_CALL = 1000;
    static final int MAX_TOP_K = 10_000;
    static final int MAX_TOP_K_WITH_DATA = 1000;
    static final int DEFAULT_LIST_LIMIT = 100;
    static final int MAX_LIST_LIMIT = 1000;
    /** Pinecone's limit on a record id and a namespace. */
    static final int MAX_ID_CHARS = 512;

    private static final Context.Key<String> INDEX = Context.key("fake-pinecone-index");
    private static final Metadata.Key<String> API_KEY_HEADER =
            Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);
    /** Pinecone lists ids in bitwise ("C") order of their UTF-8 bytes, which is code point order. */
    static final Comparator<String> ID_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    /** A stored vector: values and metadata (String, Double, Boolean, List of String). */
    record Rec(float[] values, Map<String, Object> metadata) {
    }

    /** Namespaces of one index: namespace to ids (in {@link #ID_ORDER}) to vectors. */
    static final class Data {
        final Map<String, TreeMap<String, Rec>> namespaces = new TreeMap<>();

        TreeMap<String, Rec> ns(String namespace) {
            return namespaces.computeIfAbsent(namespace, k -> new TreeMap<>(ID_ORDER));
        }

        NavigableMap<String, Rec> peek(String namespace) {
            TreeMap<String, Rec> m = namespaces.get(namespace);
            return m == null ? new TreeMap<>(ID_ORDER) : m;
        }

        void prune() {
            namespaces.values().removeIf(Map::isEmpty);
        }
    }

    /** One index: its description, the latest state and the state reads see. */
    static final class IndexState {
        final String name;
        final int dimension;
        final String metric;
        final String cloud;
        final String region;
        final String deletionProtection;
        final Map<String, String> tags;
        int describesUntilReady;
        /** The index never becomes ready: state InitializationFailed. */
        boolean initializationFailed;
        /** How the control plane describes the index: {@code "serverless"}, {@code "pod"} or {@code "byoc"}. */
        String kind = "serverless";
        /** The environment of a pod or BYOC index, e.g. {@code us-east-1-aws}. */
        String environment;
        /** The pod type of a pod index, e.g. {@code p1.x1}. */
        String podType;
        final Data latest = new Data();
        /** What each kind of read sees: Pinecone's Fetch, List and Query need not become fresh together. */
        final Map<ReadKind, Data> views = new java.util.EnumMap<>(Map.of(ReadKind.FETCH, new Data(), ReadKind.LIST, new Data(),
                ReadKind.QUERY, new Data()));

        Data view(ReadKind kind) {
            return views.get(kind);
        }

        IndexState(String name, int dimension, String metric, String cloud, String region,
                String deletionProtection, Map<String, String> tags, int describesUntilReady) {
            this.name = name;
            this.dimension = dimension;
            this.metric = metric;
            this.cloud = cloud;
            this.region = region;
            this.deletionProtection = deletionProtection;
            this.tags = tags;
            this.describesUntilReady = describesUntilReady;
        }
    }

    /** The kinds of read whose freshness differs; DescribeIndexStats counts what List sees. */
    enum ReadKind { FETCH, LIST, QUERY }

    /** A write not yet visible to one kind of read: due at a read count and a time (nanoTime), in one namespace. */
    private record PendingWrite(long visibleAtRead, long writtenAt, String index, String namespace, Consumer<Data> op) {
    }

    /** How long after a write each kind of read sees it, in one namespace or (key null) in every other. */
    private record Lags(Duration fetch, Duration list, Duration query) {
        Duration of(ReadKind kind) {
            return switch (kind) {
                case FETCH -> fetch;
                case LIST -> list;
                case QUERY -> query;
            };
        }
    }

    private enum FaultKind { FAIL, DROP, HANG }

    private record Fault(FaultKind kind, Status.Code code, String message) {
    }

    final Object lock = new Object();
    final Map<String, IndexState> indexes = new TreeMap<>();
    private final Map<ReadKind, List<PendingWrite>> pending = new java.util.EnumMap<>(Map.of(ReadKind.FETCH, new ArrayList<>(),
            ReadKind.LIST, new ArrayList<>(), ReadKind.QUERY, new ArrayList<>()));
    private final Map<String, Lags> namespaceLags = new ConcurrentHashMap<>();
    private volatile Lags lags = new Lags(Duration.ZERO, Duration.ZERO, Duration.ZERO);
    private final Map<String, Integer> counts = new TreeMap<>();
    private final Map<Long, Fault> dataFaults = new HashMap<>();
    private final Map<Long, Integer> httpFaults = new HashMap<>();
    private final Map<String, FakePineconeProxy> proxies = new HashMap<>();
    private final Map<Integer, FakePineconeProxy.Link> links = new ConcurrentHashMap<>();
    private long dataCalls;
    private long httpCalls;
    private long reads;

    private volatile String apiKey = DEFAULT_API_KEY;
    private volatile Duration latency = Duration.ZERO;
    private volatile int visibilityDelay;
    private volatile int notReadyDescribes;
    private volatile boolean statsFilterSupported;
    private volatile int listPageCap = Integer.MAX_VALUE;
    private volatile int maxServerlessIndexes = Integer.MAX_VALUE;
    private volatile int maxListLimit = MAX_LIST_LIMIT;
    private volatile boolean initializationFails;
    private volatile boolean readUnitsUsedUp;
    private volatile boolean writeUnitsUsedUp;
    /** Pinecone's reply when a project's monthly read units are used up (docs, "Rate limits"). */
    static final String READ_UNITS_USED_UP = "Request failed. You've reached your read unit limit for the current month limit. "
            + "To continue reading data, upgrade your plan.";
    /** Pinecone's reply when a project's monthly write units are used up. */
    static final String WRITE_UNITS_USED_UP = "Request failed. You've reached your write unit limit for the current month. "
            + "To continue writing data, upgrade your plan.";
    /** Pinecone's limit on one vector's metadata. */
    static final int MAX_METADATA_BYTES = 40 * 1024;
    private static final com.fasterxml.jackson.databind.ObjectMapper ASCII_JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature());

    /**
     * A metadata's size the stricter of two ways the service might count it: its protobuf encoding, or its JSON with
     * non-ASCII characters escaped ({@code \\u00e9}, as Python's {@code json.dumps} writes it), whichever is larger.
     */
    static int metadataSize(com.google.protobuf.Struct metadata) {
        try {
            int json = ASCII_JSON.writeValueAsBytes(FakePineconeFilters.fromStruct(metadata)).length;
            return Math.max(json, metadata.getSerializedSize());
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            return metadata.getSerializedSize(); // refused later, for its types
        }
    }

    private final Server grpc;
    private final FakePineconeControlPlane control;

    private FakePineconeServer(int controlPort) throws IOException {
        this.grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .maxInboundMessageSize(64 * 1024 * 1024)
                .addService(ServerInterceptors.intercept(new Service(), new Gate()))
                .build()
                .start();
        try {
            this.control = new FakePineconeControlPlane(this, controlPort);
        } catch (IOException | RuntimeException e) {
            grpc.shutdownNow();
            throw e;
        }
    }

    /** Starts a server on free 127.0.0.1 ports, accepting {@link #DEFAULT_API_KEY}. */
    public static FakePineconeServer start() {
        return start(0);
    }

    /** Starts a server whose control plane listens on 127.0.0.1:{@code controlPort} (0: any free port). */
    public static FakePineconeServer start(int controlPort) {
        try {
            return new FakePineconeServer(controlPort);
        } catch (IOException e) {
            throw new IllegalStateException("FakePineconeServer could not start: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- configuration

    /** Sets the API key both planes accept (header {@code Api-Key}, gRPC metadata {@code api-key}). */
    public FakePineconeServer apiKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("API key must not be empty");
        }
        this.apiKey = key;
        return this;
    }

    /** Delays every call of both planes by this much before it is handled (faults included). */
    public FakePineconeServer latency(Duration latency) {
        this.latency = latency == null ? Duration.ZERO : latency;
        return this;
    }

    /**
     * Makes every later write invisible to the next {@code reads} read calls (Fetch, List, Query,
     * DescribeIndexStats, of any index) and visible from the one after; 0 (the default) means immediately.
     */
    public FakePineconeServer visibilityDelay(int reads) {
        if (reads < 0) {
            throw new IllegalArgumentException("visibility delay must be >= 0");
        }
        this.visibilityDelay = reads;
        return this;
    }

    /**
     * Time-based freshness, as on Pinecone's serverless indexes: a write to a namespace becomes visible to Fetch, to List
     * (and DescribeIndexStats) and to Query each after its own lag from the moment it was made, in the order writes were
     * made, namespace by namespace (writes to one namespace never wait for another's). Applies to later writes, in every
     * namespace without lags of its own; {@link Duration#ZERO} for all three (the default) means immediately.
     */
    public FakePineconeServer freshnessLag(Duration fetch, Duration list, Duration query) {
        this.lags = new Lags(fetch, list, query);
        return this;
    }

    /** Lags of one namespace ({@code ""} is the default one; {@code sr_config} is srouter's), overriding the others. */
    public FakePineconeServer freshnessLag(String namespace, Duration fetch, Duration list, Duration query) {
        namespaceLags.put(namespace, new Lags(fetch, list, query));
        return this;
    }

    private Duration lag(ReadKind kind, String namespace) {
        return namespaceLags.getOrDefault(namespace, lags).of(kind);
    }

    /**
     * Indexes created over HTTP from now on describe themselves as not ready (status.ready=false, state
     * "Initializing") for their first {@code describes} {@code GET /indexes/{name}} calls, then as ready. The
     * data plane serves them regardless.
     */
    public FakePineconeServer notReadyDescribes(int describes) {
        this.notReadyDescribes = Math.max(0, describes);
        return this;
    }

    /**
     * Whether DescribeIndexStats accepts a filter (counting matching vectors, as pod-based indexes do). Off by
     * default: serverless indexes refuse it, so does this server (INVALID_ARGUMENT).
     */
    /**
     * Makes List answer at most {@code cap} ids per call whatever limit is asked (with a pagination token
     * when more remain), as a service may; {@link Integer#MAX_VALUE} (the default) honours the limit.
     */
    public FakePineconeServer listPageCap(int cap) {
        this.listPageCap = cap;
        return this;
    }

    /**
     * The largest {@code limit} List accepts (1,000 by default); a larger one is refused with INVALID_ARGUMENT. Pinecone
     * documents a default of 100 and no maximum, so a service may refuse what srouter asks (1,000).
     */
    public FakePineconeServer maxListLimit(int max) {
        this.maxListLimit = max;
        return this;
    }

    /**
     * The project holds at most {@code n} serverless indexes: {@code POST /indexes} beyond that answers 403 with
     * Pinecone's quota message (code FORBIDDEN, as the service sends it; the docs call the case QUOTA_EXCEEDED).
     */
    public FakePineconeServer maxServerlessIndexes(int n) {
        this.maxServerlessIndexes = n;
        return this;
    }

    /**
     * Indexes created over HTTP from now on never become ready: they describe themselves with status.ready=false
     * and state {@code InitializationFailed}, one of the states of the API's IndexModelStatus.
     */
    public FakePineconeServer initializationFails(boolean fails) {
        this.initializationFails = fails;
        return this;
    }

    /**
     * The project's monthly read units (Fetch, Query, List) or write units (Upsert, Update, Delete) are used up:
     * those calls fail with RESOURCE_EXHAUSTED (HTTP 429's gRPC status) and Pinecone's message, until set back.
     */
    public FakePineconeServer monthlyUnitsUsedUp(boolean reads, boolean writes) {
        this.readUnitsUsedUp = reads;
        this.writeUnitsUsedUp = writes;
        return this;
    }

    public FakePineconeServer statsFilterSupported(boolean supported) {
        this.statsFilterSupported = supported;
        return this;
    }

    // ---------------------------------------------------------------- addresses

    /** The control plane's base URL, {@code http://127.0.0.1:PORT}, for {@code Pinecone.Builder.withHost}. */
    public String controlUrl() {
        return "http://127.0.0.1:" + control.port();
    }

    /**
     * The port of the gRPC server itself. A connection made straight to it (not through an index host) reaches
     * the only index when exactly one exists, else every call fails with FAILED_PRECONDITION.
     */
    public int grpcPort() {
        return ((InetSocketAddress) grpc.getListenSockets().get(0)).getPort();
    }

    /** The port of an index's host ({@code 127.0.0.1:PORT}, as its description says). */
    public int grpcPort(String index) {
        synchronized (lock) {
            FakePineconeProxy proxy = proxies.get(index);
            if (proxy == null) {
                throw new IllegalArgumentException("no index " + index);
            }
            return proxy.port();
        }
    }

    /** Stops both planes; hung calls are cancelled. */
    @Override
    public void close() {
        control.stop();
        grpc.shutdownNow();
        synchronized (lock) {
            proxies.values().forEach(FakePineconeProxy::close);
        }
        try {
            grpc.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- call counting

    /** How many calls of this name (see the class comment) arrived since start or {@link #resetCounts()}. */
    public int calls(String method) {
        synchronized (lock) {
            return counts.getOrDefault(method, 0);
        }
    }

    /** All calls of both planes since start or {@link #resetCounts()}. */
    public int totalCalls() {
        synchronized (lock) {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** A copy of the call counts by name. */
    public Map<String, Integer> callCounts() {
        synchronized (lock) {
            return new TreeMap<>(counts);
        }
    }

    /** Forgets the call counts (not the pending faults). */
    public void resetCounts() {
        synchronized (lock) {
            counts.clear();
        }
    }

    // ---------------------------------------------------------------- faults

    /** The {@code n}-th data-plane call from now (1 = the next) fails with {@code code}, not applied. */
    public FakePineconeServer failCall(int n, Status.Code code) {
        requirePositive(n);
        synchronized (lock) {
            dataFaults.put(dataCalls + n, new Fault(FaultKind.FAIL, code, null));
        }
        return this;
    }

    /**
     * The {@code n}-th data-plane call from now fails with {@code code} and the service's own {@code message}
     * (e.g. a per-second rate limit's text), not applied.
     */
    public FakePineconeServer failCall(int n, Status.Code code, String message) {
        requirePositive(n);
        synchronized (lock) {
            dataFaults.put(dataCalls + n, new Fault(FaultKind.FAIL, code, message));
        }
        return this;
    }

    /**
     * The {@code n}-th control-plane call from now answers {@code httpStatus} with Pinecone's error JSON, not
     * applied.
     */
    public FakePineconeServer failHttp(int n, int httpStatus) {
        requirePositive(n);
        synchronized (lock) {
            httpFaults.put(httpCalls + n, httpStatus);
        }
        return this;
    }

    /**
     * The {@code n}-th data-plane call from now is applied, then its connection is cut without an answer: the
     * client sees UNAVAILABLE and cannot know whether the write happened. Reconnecting works.
     */
    public FakePineconeServer dropConnectionOnCall(int n) {
        requirePositive(n);
        synchronized (lock) {
            dataFaults.put(dataCalls + n, new Fault(FaultKind.DROP, null, null));
        }
        return this;
    }

    /** The {@code n}-th data-plane call from now is never answered nor applied: only a client deadline ends it. */
    public FakePineconeServer hangCall(int n) {
        requirePositive(n);
        synchronized (lock) {
            dataFaults.put(dataCalls + n, new Fault(FaultKind.HANG, null, null));
        }
        return this;
    }

    private static void requirePositive(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n counts from 1 (the next call)");
        }
    }

    // ---------------------------------------------------------------- state access

    /** Names of the existing indexes. */
    public Set<String> indexes() {
        synchronized (lock) {
            return new TreeSet<>(indexes.keySet());
        }
    }

    /** Creates a ready serverless index (aws, us-east-1) as if over HTTP; see {@code POST /indexes}. */
    public void createIndex(String name, int dimension, String metric) {
        synchronized (lock) {
            String problem = FakePineconeControlPlane.validateIndex(name, dimension, metric);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            if (indexes.containsKey(name)) {
                throw new IllegalStateException("index " + name + " already exists");
            }
            addIndex(new IndexState(name, dimension, metric, "aws", "us-east-1", "disabled", Map.of(), 0));
        }
    }

    /**
     * Creates a ready pod-based index as the control plane describes one ({@code spec.pod} with environment,
     * pod type, pods, replicas, shards). Its data plane refuses List, as Pinecone's does ("The list endpoint is
     * supported only for serverless indexes").
     */
    public void createPodIndex(String name, int dimension, String metric, String environment, String podType) {
        synchronized (lock) {
            createIndex(name, dimension, metric);
            IndexState state = indexes.get(name);
            state.kind = "pod";
            state.environment = environment;
            state.podType = podType;
        }
    }

    /** Creates a ready BYOC index ({@code spec.byoc} with its environment), whose data plane also refuses List. */
    public void createByocIndex(String name, int dimension, String metric, String environment) {
        synchronized (lock) {
            createIndex(name, dimension, metric);
            IndexState state = indexes.get(name);
            state.kind = "byoc";
            state.environment = environment;
        }
    }

    /** Vectors in a namespace ("" is the default), latest writes included. */
    public int vectorCount(String index, String namespace) {
        synchronized (lock) {
            return require(index).latest.peek(namespace).size();
        }
    }

    /** A vector's metadata (numbers as Double), or null if there is no such vector. */
    public Map<String, Object> metadataOf(String index, String namespace, String id) {
        synchronized (lock) {
            Rec rec = require(index).latest.peek(namespace).get(id);
            return rec == null ? null : new LinkedHashMap<>(rec.metadata());
        }
    }

    /** A vector's values, or null if there is no such vector. */
    public float[] valuesOf(String index, String namespace, String id) {
        synchronized (lock) {
            Rec rec = require(index).latest.peek(namespace).get(id);
            return rec == null ? null : rec.values().clone();
        }
    }

    /**
     * Seeds a vector, immediately visible, as another writer (e.g. the Python library) would have written it:
     * metadata numbers become Double; values must match the index dimension.
     */
    public void putVector(String index, String namespace, String id, float[] values, Map<String, Object> metadata) {
        Map<String, Object> md = FakePineconeFilters.normalize(metadata);
        synchronized (lock) {
            IndexState state = require(index);
            if (values.length != state.dimension) {
                throw new IllegalArgumentException(dimensionMismatch(values.length, state.dimension));
            }
            Rec rec = new Rec(values.clone(), md);
            state.latest.ns(namespace).put(id, rec);
            state.views.values().forEach(view -> view.ns(namespace).put(id, rec));
        }
    }

    private IndexState require(String index) {
        IndexState state = indexes.get(index);
        if (state == null) {
            throw new IllegalArgumentException("no index " + index);
        }
        return state;
    }

    // ---------------------------------------------------------------- for the control plane (under lock)

    String checkApiKey(String presented) {
        return presented != null && presented.equals(apiKey) ? null : "Invalid API Key";
    }

    int notReadyDescribesSetting() {
        return notReadyDescribes;
    }

    boolean initializationFailsSetting() {
        return initializationFails;
    }

    /** Under lock: the quota message when one more serverless index would exceed the project's limit, else null. */
    String serverlessQuotaExceeded() {
        long serverless = indexes.values().stream().filter(i -> i.kind.equals("serverless")).count();
        if (serverless < maxServerlessIndexes) {
            return null;
        }
        return "Request failed. You've reached the max serverless indexes allowed in project Default (" + maxServerlessIndexes
                + "). Use namespaces to partition your data into logical groups, or upgrade your plan to add more serverless indexes.";
    }

    /** Refuses a read (Fetch, Query, List) or a write (Upsert, Update, Delete) once the month's units are used up. */
    private void chargeUnits(boolean write) {
        if (write ? writeUnitsUsedUp : readUnitsUsedUp) {
            throw Status.RESOURCE_EXHAUSTED.withDescription(write ? WRITE_UNITS_USED_UP : READ_UNITS_USED_UP).asRuntimeException();
        }
    }

    /** Counts an HTTP call; returns the injected status for it, or 0. */
    int countHttp(String name) {
        synchronized (lock) {
            counts.merge(name, 1, Integer::sum);
            httpCalls++;
            Integer status = httpFaults.remove(httpCalls);
            return status == null ? 0 : status;
        }
    }

    void sleepLatency() {
        Duration d = latency;
        if (!d.isZero()) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Under lock: adds an index and gives it a host. */
    void addIndex(IndexState state) {
        indexes.put(state.name, state);
        proxies.computeIfAbsent(state.name, name -> {
            try {
                return new FakePineconeProxy(name, new InetSocketAddress("127.0.0.1", grpcPort()), links);
            } catch (IOException e) {
                throw new IllegalStateException("cannot open a host for index " + name + ": " + e.getMessage(), e);
            }
        });
    }

    /** Under lock: removes an index and its pending writes (its host stays, answering NOT_FOUND). */
    void removeIndex(String name) {
        indexes.remove(name);
        pending.values().forEach(list -> list.removeIf(p -> p.index().equals(name)));
    }

    String hostOf(String name) {
        return "127.0.0.1:" + proxies.get(name).port();
    }

    // ---------------------------------------------------------------- data plane

    /** Counts, delays, injects faults, checks the key and finds the index of every data-plane call. */
    private final class Gate implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                ServerCallHandler<Q, A> next) {
            String method = call.getMethodDescriptor().getBareMethodName();
            Fault fault;
            synchronized (lock) {
                counts.merge(method, 1, Integer::sum);
                dataCalls++;
                fault = dataFaults.remove(dataCalls);
            }
            sleepLatency();
            if (fault != null && fault.kind() == FaultKind.FAIL) {
                call.close(Status.fromCode(fault.code()).withDescription(fault.message() != null ? fault.message()
                        : "injected fault: FakePineconeServer.failCall on " + method), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            if (fault != null && fault.kind() == FaultKind.HANG) {
                return new ServerCall.Listener<>() {
                };
            }
            if (!apiKey.equals(headers.get(API_KEY_HEADER))) {
                call.close(Status.UNAUTHENTICATED.withDescription("Invalid API Key"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            FakePineconeProxy.Link link = null;
            SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            if (remote instanceof InetSocketAddress inet) {
                link = links.get(inet.getPort());
            }
            String index;
            if (link != null) {
                index = link.index();
            } else {
                synchronized (lock) {
                    index = indexes.size() == 1 ? indexes.keySet().iterator().next() : null;
                }
                if (index == null) {
                    call.close(Status.FAILED_PRECONDITION.withDescription("FakePineconeServer: connect to an index's"
                            + " host (its describe_index host), not to the bare gRPC port"), new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
            }
            ServerCall<Q, A> target = call;
            if (fault != null && fault.kind() == FaultKind.DROP) {
                FakePineconeProxy.Link dropped = link;
                target = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendHeaders(Metadata h) {
                        // swallowed: the client must get no answer
                    }

                    @Override
                    public void sendMessage(A message) {
                        // swallowed
                    }

                    @Override
                    public void close(Status status, Metadata trailers) {
                        if (dropped != null) {
                            dropped.drop();
                        } else {
                            super.close(Status.UNAVAILABLE.withDescription("connection dropped"), new Metadata());
                        }
                    }
                };
            }
            Context ctx = Context.current().withValue(INDEX, index);
            return Contexts.interceptCall(ctx, target, headers, next);
        }
    }

    /**
     * Pinecone's rule for record ids (docs, "Identifier limits"): 1 to 512 characters, ASCII except NUL. The ASCII text is
     * the service's as seen in the wild ({@code "ID must be ASCII, but got '...'"}); the length text is assumed.
     */
    static void checkId(String id) {
        if (!id.chars().allMatch(c -> c > 0 && c < 128)) {
            throw invalid("ID must be ASCII, but got '" + id + "'");
        }
        if (id.length() > MAX_ID_CHARS) {
            throw invalid("Invalid request: ID must be at most " + MAX_ID_CHARS + " characters, got " + id.length());
        }
    }

    /** Pinecone's rule for namespaces: at most 512 characters, ASCII except NUL (the error text is assumed). */
    static void checkNamespace(String namespace) {
        if (!namespace.chars().allMatch(c -> c > 0 && c < 128) || namespace.length() > MAX_ID_CHARS) {
            throw invalid("Invalid request: namespace must be at most " + MAX_ID_CHARS + " ASCII characters (no NUL), got '"
                    + namespace + "'");
        }
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    private static String dimensionMismatch(int got, int expected) {
        return "Vector dimension " + got + " does not match the dimension of the index " + expected;
    }

    /** Under lock: the current call's index. */
    private IndexState current() {
        String name = INDEX.get();
        IndexState state = indexes.get(name);
        if (state == null) {
            throw Status.NOT_FOUND.withDescription("Index " + name + " not found").asRuntimeException();
        }
        return state;
    }

    /**
     * Under lock: counts a read of one kind, in one namespace (null: all of them, for DescribeIndexStats), and makes
     * the writes due for it visible to that kind of read: a write is due from the read count its visibility delay set
     * and once its namespace's lag for this kind has passed, and only after the earlier writes to its namespace.
     */
    private void beginRead(ReadKind kind, String namespace) {
        reads++;
        long now = System.nanoTime();
        Set<String> blocked = new java.util.HashSet<>();
        Iterator<PendingWrite> it = pending.get(kind).iterator();
        while (it.hasNext()) {
            PendingWrite p = it.next();
            String key = p.index() + "/" + p.namespace();
            if ((namespace != null && !p.namespace().equals(namespace)) || blocked.contains(key)) {
                continue;
            }
            if (p.visibleAtRead() > reads || now - p.writtenAt() < lag(kind, p.namespace()).toNanos()) {
                blocked.add(key); // later writes to this namespace wait for this one
                continue;
            }
            it.remove();
            IndexState state = indexes.get(p.index());
            if (state != null) {
                p.op().accept(state.view(kind));
                state.view(kind).prune();
            }
        }
    }

    /** Under lock: applies a write to a namespace now to the latest state, and to each kind of read now or later. */
    private void write(IndexState state, String namespace, Consumer<Data> op) {
        op.accept(state.latest);
        state.latest.prune();
        int delay = visibilityDelay;
        long now = System.nanoTime();
        for (ReadKind kind : ReadKind.values()) {
            boolean waiting = pending.get(kind).stream().anyMatch(p -> p.index().equals(state.name) && p.namespace().equals(namespace));
            if (delay == 0 && lag(kind, namespace).isZero() && !waiting) {
                op.accept(state.view(kind));
                state.view(kind).prune();
            } else {
                pending.get(kind).add(new PendingWrite(reads + delay + 1, now, state.name, namespace, op));
            }
        }
    }

    private List<Float> checkValues(IndexState state, List<Float> values, String what) {
        if (values.size() != state.dimension) {
            throw invalid(dimensionMismatch(values.size(), state.dimension));
        }
        if (values.stream().allMatch(v -> v == 0f)) {
            throw invalid(what + ": dense vectors must contain at least one non-zero value");
        }
        return values;
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static List<Float> toList(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }

    private static Predicate<Map<String, Object>> filter(com.google.protobuf.Struct filter) {
        try {
            return FakePineconeFilters.compile(filter);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private Vector toVector(String id, Rec rec, boolean values, boolean metadata) {
        Vector.Builder b = Vector.newBuilder().setId(id);
        if (values) {
            b.addAllValues(toList(rec.values()));
        }
        if (metadata && !rec.metadata().isEmpty()) {
            b.setMetadata(FakePineconeFilters.toStruct(rec.metadata()));
        }
        return b.build();
    }

    double score(String metric, float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        double dist = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
            double d = (double) a[i] - b[i];
            dist += d * d;
        }
        switch (metric) {
            case "dotproduct":
                return dot;
            case "euclidean":
                return dist;
            default:
                return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
        }
    }

    private final class Service extends VectorServiceGrpc.VectorServiceImplBase {

        /** Runs a handler under the lock and answers; gRPC errors thrown by it become the call's status. */
        private <T> void answer(StreamObserver<T> out, java.util.function.Supplier<T> handler) {
            T response;
            try {
                synchronized (lock) {
                    response = handler.get();
                }
            } catch (StatusRuntimeException e) {
                out.onError(e);
                return;
            } catch (RuntimeException e) {
                out.onError(Status.INTERNAL.withDescription("FakePineconeServer bug: " + e).asRuntimeException());
                return;
            }
            out.onNext(response);
            out.onCompleted();
        }

        @Override
        public void upsert(UpsertRequest request, StreamObserver<UpsertResponse> out) {
            answer(out, () -> {
                IndexState state = current();
                checkNamespace(request.getNamespace());
                chargeUnits(true);
                if (request.getVectorsCount() == 0) {
                    throw invalid("Invalid request: no vectors to upsert");
                }
                if (request.getVectorsCount() > MAX_UPSERT_VECTORS) {
                    throw invalid("Invalid request: upsert of " + request.getVectorsCount()
                            + " vectors exceeds the maximum of " + MAX_UPSERT_VECTORS + " vectors per request");
                }
                int size = request.getSerializedSize();
                if (size > MAX_REQUEST_BYTES) {
                    throw invalid("Request size " + size + " bytes exceeds the maximum supported size of 2MB ("
                            + MAX_REQUEST_BYTES + " bytes)");
                }
                Map<String, Rec> batch = new LinkedHashMap<>();
                for (Vector v : request.getVectorsList()) {
                    if (v.getId().isEmpty()) {
                        throw invalid("Invalid request: vector id must not be empty");
                    }
                    checkId(v.getId());
                    if (v.hasSparseValues()) {
                        throw invalid("FakePineconeServer does not support sparse values (vector " + v.getId() + ")");
                    }
                    checkValues(state, v.getValuesList(), "Vector " + v.getId());
                    // Pinecone: "Max metadata size per record | 40 KB", not saying how it is measured; measured here the
                    // stricter way (see metadataSize). The text is the service's, as seen in the wild.
                    int metadataSize = v.hasMetadata() ? metadataSize(v.getMetadata()) : 0;
                    if (metadataSize > MAX_METADATA_BYTES) {
                        throw invalid("metadata size is " + metadataSize + " bytes, which exceeds the limit of "
                                + MAX_METADATA_BYTES + " bytes per vector (vector " + v.getId() + ")");
                    }
                    Map<String, Object> md;
                    try {
                        md = v.hasMetadata() ? FakePineconeFilters.fromStruct(v.getMetadata()) : Map.of();
                    } catch (IllegalArgumentException e) {
                        throw invalid(e.getMessage() + " (vector " + v.getId() + ")");
                    }
                    batch.put(v.getId(), new Rec(toArray(v.getValuesList()), md));
                }
                String ns = request.getNamespace();
                write(state, ns, data -> data.ns(ns).putAll(batch));
                return UpsertResponse.newBuilder().setUpsertedCount(batch.size()).build();
            });
        }

        @Override
        public void fetch(FetchRequest request, StreamObserver<FetchResponse> out) {
            answer(out, () -> {
                IndexState state = current();
                beginRead(ReadKind.FETCH, request.getNamespace());
                checkNamespace(request.getNamespace());
                chargeUnits(false);
                if (request.getIdsCount() == 0) {
                    throw invalid("Invalid request: ids must be provided");
                }
                if (request.getIdsCount() > MAX_IDS_PER_CALL) {
                    throw invalid("Invalid request: fetch of " + request.getIdsCount()
                            + " ids exceeds the maximum of " + MAX_IDS_PER_CALL + " ids per request");
                }
                for (String id : request.getIdsList()) {
                    checkId(id);
                    if (id.indexOf(' ') >= 0) {
                        // The API: FetchRequest.ids "Does not accept values containing spaces." (the error text is assumed)
                        throw invalid("Invalid request: ids must not contain spaces, got '" + id + "'");
                    }
                }
                NavigableMap<String, Rec> ns = state.view(ReadKind.FETCH).peek(request.getNamespace());
                FetchResponse.Builder b = FetchResponse.newBuilder().setNamespace(request.getNamespace());
                for (String id : request.getIdsList()) {
                    Rec rec = ns.get(id);
                    if (rec != null) {
                        b.putVectors(id, toVector(id, rec, true, true));
                    }
                }
                return b.setUsage(Usage.newBuilder().setReadUnits(1)).build();
            });
        }

        @Override
        public void list(ListRequest request, StreamObserver<ListResponse> out) {
            answer(out, () -> {
                IndexState state = current();
                beginRead(ReadKind.LIST, request.getNamespace());
                checkNamespace(request.getNamespace());
                chargeUnits(false);
                if (!state.kind.equals("serverless")) {
                    // Pinecone: "The list endpoint is supported only for serverless indexes." (the gRPC status is assumed)
                    throw Status.UNIMPLEMENTED.withDescription("List is only supported for serverless indexes").asRuntimeException();
                }
                int limit = request.hasLimit() ? request.getLimit() : DEFAULT_LIST_LIMIT;
                int max = maxListLimit;
                if (limit < 1 || limit > max) {
                    throw invalid("Invalid request: limit must be between 1 and " + max + ", got " + limit);
                }
                String prefix = request.hasPrefix() ? request.getPrefix() : "";
                NavigableMap<String, Rec> ns = state.view(ReadKind.LIST).peek(request.getNamespace());
                NavigableMap<String, Rec> from = ns;
                if (request.hasPaginationToken() && !request.getPaginationToken().isEmpty()) {
                    String after = decodeToken(request.getPaginationToken(), prefix);
                    from = ns.tailMap(after, false);
                } else if (!prefix.isEmpty()) {
                    from = ns.tailMap(prefix, true);
                }
                ListResponse.Builder b = ListResponse.newBuilder().setNamespace(request.getNamespace());
                String last = null;
                boolean more = false;
                for (String id : from.keySet()) {
                    if (!id.startsWith(prefix)) {
                        break;
                    }
                    if (b.getVectorsCount() == Math.min(limit, listPageCap)) {
                        more = true;
                        break;
                    }
                    b.addVectors(ListItem.newBuilder().setId(id));
                    last = id;
                }
                if (more) {
                    b.setPagination(Pagination.newBuilder().setNext(encodeToken(last, prefix)));
                }
                return b.setUsage(Usage.newBuilder().setReadUnits(1)).build();
            });
        }

        @Override
        public void query(QueryRequest request, StreamObserver<QueryResponse> out) {
            answer(out, () -> {
                IndexState state = current();
                beginRead(ReadKind.QUERY, request.getNamespace());
                checkNamespace(request.getNamespace());
                chargeUnits(false);
                if (request.getQueriesCount() > 0) {
                    throw invalid("FakePineconeServer does not support the deprecated 'queries' field");
                }
                if (request.hasSparseVector()) {
                    throw invalid("FakePineconeServer does not support sparse query vectors");
                }
                int topK = request.getTopK();
                if (topK < 1 || topK > MAX_TOP_K) {
                    throw invalid("Invalid request: top_k must be between 1 and " + MAX_TOP_K + ", got " + topK);
                }
                if ((request.getIncludeValues() || request.getIncludeMetadata()) && topK > MAX_TOP_K_WITH_DATA) {
                    throw invalid("Invalid request: top_k must be at most " + MAX_TOP_K_WITH_DATA
                            + " when include_values or include_metadata is set, got " + topK);
                }
                NavigableMap<String, Rec> ns = state.view(ReadKind.QUERY).peek(request.getNamespace());
                float[] q;
                if (!request.getId().isEmpty()) {
                    if (request.getVectorCount() > 0) {
                        throw invalid("Invalid request: cannot query with both an id and a vector");
                    }
                    Rec byId = ns.get(request.getId());
                    if (byId == null) {
                        return QueryResponse.newBuilder().setNamespace(request.getNamespace()).build();
                    }
                    q = byId.values();
                } else {
                    if (request.getVectorCount() == 0) {
                        throw invalid("Invalid request: a query needs a vector or an id");
                    }
                    if (request.getVectorCount() != state.dimension) {
                        throw invalid("Query vector dimension " + request.getVectorCount()
                                + " does not match the dimension of the index " + state.dimension);
                    }
                    q = toArray(request.getVectorList());
                }
                Predicate<Map<String, Object>> match = request.hasFilter() ? filter(request.getFilter()) : md -> true;
                boolean lowerIsBetter = state.metric.equals("euclidean");
                List<Map.Entry<String, Double>> scored = new ArrayList<>();
                for (Map.Entry<String, Rec> e : ns.entrySet()) {
                    if (match.test(e.getValue().metadata())) {
                        scored.add(Map.entry(e.getKey(), score(state.metric, q, e.getValue().values())));
                    }
                }
                Comparator<Map.Entry<String, Double>> byScore = Map.Entry.comparingByValue();
                if (!lowerIsBetter) {
                    byScore = byScore.reversed();
                }
                scored.sort(byScore.thenComparing(Map.Entry.comparingByKey(ID_ORDER)));
                QueryResponse.Builder b = QueryResponse.newBuilder().setNamespace(request.getNamespace());
                for (Map.Entry<String, Double> e : scored.subList(0, Math.min(topK, scored.size()))) {
                    Rec rec = ns.get(e.getKey());
                    ScoredVector.Builder sv = ScoredVector.newBuilder().setId(e.getKey())
                            .setScore(e.getValue().floatValue());
                    if (request.getIncludeValues()) {
                        sv.addAllValues(toList(rec.values()));
                    }
                    if (request.getIncludeMetadata() && !rec.metadata().isEmpty()) {
                        sv.setMetadata(FakePineconeFilters.toStruct(rec.metadata()));
                    }
                    b.addMatches(sv);
                }
                return b.setUsage(Usage.newBuilder().setReadUnits(1)).build();
            });
        }

        @Override
        public void delete(DeleteRequest request, StreamObserver<DeleteResponse> out) {
            answer(out, () -> {
                IndexState state = current();
                checkNamespace(request.getNamespace());
                chargeUnits(true);
                int modes = (request.getIdsCount() > 0 ? 1 : 0) + (request.getDeleteAll() ? 1 : 0)
                        + (request.hasFilter() ? 1 : 0);
                if (modes != 1) {
                    throw invalid("Invalid request: exactly one of ids, delete_all or filter must be given");
                }
                if (request.getIdsCount() > MAX_IDS_PER_CALL) {
                    throw invalid("Invalid request: delete of " + request.getIdsCount()
                            + " ids exceeds the maximum of " + MAX_IDS_PER_CALL + " ids per request");
                }
                String ns = request.getNamespace();
                if (request.getDeleteAll()) {
                    write(state, ns, data -> data.namespaces.remove(ns));
                } else if (request.hasFilter()) {
                    Predicate<Map<String, Object>> match = filter(request.getFilter());
                    write(state, ns, data -> data.ns(ns).values().removeIf(rec -> match.test(rec.metadata())));
                } else {
                    List<String> ids = List.copyOf(request.getIdsList());
                    write(state, ns, data -> data.ns(ns).keySet().removeAll(ids));
                }
                return DeleteResponse.getDefaultInstance();
            });
        }

        @Override
        public void update(UpdateRequest request, StreamObserver<UpdateResponse> out) {
            answer(out, () -> {
                IndexState state = current();
                checkNamespace(request.getNamespace());
                chargeUnits(true);
                if (request.hasSparseValues()) {
                    throw invalid("FakePineconeServer does not support sparse values");
                }
                Map<String, Object> setMetadata;
                try {
                    setMetadata = request.hasSetMetadata()
                            ? FakePineconeFilters.fromStruct(request.getSetMetadata()) : Map.of();
                } catch (IllegalArgumentException e) {
                    throw invalid(e.getMessage());
                }
                String ns = request.getNamespace();
                if (request.hasFilter()) {
                    if (!request.getId().isEmpty() || request.getValuesCount() > 0) {
                        throw invalid("Invalid request: an update by filter takes set_metadata only");
                    }
                    Predicate<Map<String, Object>> match = filter(request.getFilter());
                    int matched = (int) state.latest.peek(ns).values().stream()
                            .filter(rec -> match.test(rec.metadata())).count();
                    if (!request.getDryRun()) {
                        write(state, ns, data -> data.ns(ns).replaceAll((id, rec) -> match.test(rec.metadata())
                                ? new Rec(rec.values(), merged(rec.metadata(), setMetadata)) : rec));
                    }
                    return UpdateResponse.newBuilder().setMatchedRecords(matched).build();
                }
                if (request.getId().isEmpty()) {
                    throw invalid("Invalid request: an update needs an id or a filter");
                }
                float[] values = request.getValuesCount() > 0
                        ? toArray(checkValues(state, request.getValuesList(), "Vector " + request.getId())) : null;
                String id = request.getId();
                boolean exists = state.latest.peek(ns).containsKey(id);
                // An update of a missing id changes nothing (assumed from the docs, which describe no error).
                write(state, ns, data -> data.ns(ns).computeIfPresent(id, (k, rec) -> new Rec(
                        values == null ? rec.values() : values, merged(rec.metadata(), setMetadata))));
                return UpdateResponse.newBuilder().setMatchedRecords(exists ? 1 : 0).build();
            });
        }

        @Override
        public void describeIndexStats(DescribeIndexStatsRequest request,
                StreamObserver<DescribeIndexStatsResponse> out) {
            answer(out, () -> {
                IndexState state = current();
                beginRead(ReadKind.LIST, null);
                Predicate<Map<String, Object>> match = md -> true;
                if (request.hasFilter()) {
                    if (!statsFilterSupported) {
                        throw invalid("Serverless indexes do not support filtering describe_index_stats by metadata"
                                + " (FakePineconeServer.statsFilterSupported(true) allows it)");
                    }
                    match = filter(request.getFilter());
                }
                DescribeIndexStatsResponse.Builder b = DescribeIndexStatsResponse.newBuilder()
                        .setDimension(state.dimension).setIndexFullness(0f)
                        .setMetric(state.metric).setVectorType("dense");
                int total = 0;
                for (Map.Entry<String, TreeMap<String, Rec>> e : state.view(ReadKind.LIST).namespaces.entrySet()) {
                    Predicate<Map<String, Object>> m = match;
                    int n = (int) e.getValue().values().stream().filter(rec -> m.test(rec.metadata())).count();
                    if (n > 0) {
                        b.putNamespaces(e.getKey(), NamespaceSummary.newBuilder().setVectorCount(n).build());
                        total += n;
                    }
                }
                return b.setTotalVectorCount(total).build();
            });
        }

        @Override
        public void listNamespaces(ListNamespacesRequest request, StreamObserver<ListNamespacesResponse> out) {
            unimplemented("ListNamespaces", out);
        }

        @Override
        public void describeNamespace(DescribeNamespaceRequest request, StreamObserver<NamespaceDescription> out) {
            unimplemented("DescribeNamespace", out);
        }

        @Override
        public void deleteNamespace(DeleteNamespaceRequest request, StreamObserver<DeleteResponse> out) {
            unimplemented("DeleteNamespace", out);
        }

        @Override
        public void createNamespace(CreateNamespaceRequest request, StreamObserver<NamespaceDescription> out) {
            unimplemented("CreateNamespace", out);
        }

        @Override
        public void fetchByMetadata(FetchByMetadataRequest request, StreamObserver<FetchByMetadataResponse> out) {
            unimplemented("FetchByMetadata", out);
        }

        private void unimplemented(String method, StreamObserver<?> out) {
            out.onError(Status.UNIMPLEMENTED.withDescription("FakePineconeServer does not implement " + method)
                    .asRuntimeException());
        }
    }

    private static Map<String, Object> merged(Map<String, Object> old, Map<String, Object> set) {
        if (set.isEmpty()) {
            return old;
        }
        Map<String, Object> m = new LinkedHashMap<>(old);
        m.putAll(set);
        return m;
    }

    private static String encodeToken(String lastId, String prefix) {
        String raw = prefix.length() + ":" + prefix + lastId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The id a token continues after; refuses tokens that are not ours or belong to another prefix. */
    private static String decodeToken(String token, String prefix) {
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("Invalid pagination token");
        }
        int colon = raw.indexOf(':');
        try {
            int n = Integer.parseInt(raw.substring(0, colon));
            String tokenPrefix = raw.substring(colon + 1, colon + 1 + n);
            if (!tokenPrefix.equals(prefix)) {
                throw invalid("Invalid pagination token: it belongs to a listing with another prefix");
            }
            return raw.substring(colon + 1 + n);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw invalid("Invalid pagination token");
        }
    }

    // ---------------------------------------------------------------- manual trials

    /**
     * Serves until Ctrl-C: {@code --port N} (control plane, default 5080), {@code --api-key KEY} (default
     * {@link #DEFAULT_API_KEY}), {@code --latency-ms N}, {@code --visibility-delay N}, {@code --freshness-ms F,L,Q}
     * (lags of Fetch, List and Query), {@code --not-ready N}.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = 5080;
        String key = null;
        long latencyMs = 0;
        int delay = 0;
        int notReady = 0;
        Duration[] lagsMs = {Duration.ZERO, Duration.ZERO, Duration.ZERO};
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("missing value after " + a);
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "--port" -> port = Integer.parseInt(v);
                    case "--api-key" -> key = v;
                    case "--latency-ms" -> latencyMs = Long.parseLong(v);
                    case "--visibility-delay" -> delay = Integer.parseInt(v);
                    case "--not-ready" -> notReady = Integer.parseInt(v);
                    case "--freshness-ms" -> {
                        String[] parts = v.split(",");
                        if (parts.length != 3) {
                            usage("--freshness-ms takes FETCH,LIST,QUERY, e.g. 200,1000,500");
                        }
                        for (int k = 0; k < 3; k++) {
                            lagsMs[k] = Duration.ofMillis(Long.parseLong(parts[k].strip()));
                        }
                    }
                    default -> usage("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                usage("not a number after " + a);
            }
        }
        FakePineconeServer server = start(port);
        if (key != null) {
            server.apiKey(key);
        }
        server.latency(Duration.ofMillis(latencyMs)).visibilityDelay(delay).notReadyDescribes(notReady)
                .freshnessLag(lagsMs[0], lagsMs[1], lagsMs[2]);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("FakePinecone control plane: " + server.controlUrl()
                + "  (API key: " + (key == null ? "FakePineconeServer.DEFAULT_API_KEY" : "as given by --api-key")
                + "; index hosts on 127.0.0.1, plaintext gRPC)");
        System.out.println("Ctrl-C stops it.");
        new CountDownLatch(1).await();
    }

    private static void usage(String problem) {
        System.err.println("FakePineconeServer: " + problem);
        System.err.println("usage: FakePineconeServer [--port 5080] [--api-key KEY] [--latency-ms 0]"
                + " [--visibility-delay 0] [--freshness-ms FETCH,LIST,QUERY] [--not-ready 0]");
        System.exit(2);
    }
}
