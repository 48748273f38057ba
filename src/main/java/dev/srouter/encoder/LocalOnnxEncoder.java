package dev.srouter.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An embedding model that runs in-process on the CPU with ONNX Runtime: a bundled one (the quantized models and
 * tokenizers of langchain4j's artifacts on the classpath) or a user's ONNX export ({@code --encoder onnx:DIR}, read
 * by {@link OnnxModelSpec#fromDirectory}); no network, no key.
 *
 * <p>A text's vector never depends on the texts embedded with it. Texts are never padded into a batch (padding
 * changes a text's vector). Texts of one token length need no padding, and where the graph gives each row of such
 * a batch exactly the vector the text gets alone, which {@link #probeBatchExact} checks at load, they run as one
 * batch: float32 exports do. The bundled quantized models do not: their dynamic quantization takes its scale from the
 * whole input tensor (0 of 1,983 texts bit-identical in equal-length batches, cosine down to 0.964), so each of their
 * texts runs on its own. Throughput also comes from running several calls at once, each single-threaded.
 */
public final class LocalOnnxEncoder implements Encoder {

    /** The models bundled in the jar. */
    public enum Model {
        ALL_MINILM_L6_V2_Q("all-MiniLM-L6-v2-q", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", 384, 256, false, 0.60),
        BGE_SMALL_EN_V15_Q("bge-small-en-v1.5-q", "bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json", 384, 512, true, 0.80);

        final String id;
        final String onnxResource;
        final String tokenizerResource;
        final int dimension;
        final int maxTokens;
        final boolean clsPooling;
        final double defaultThreshold;

        Model(String id, String onnx, String tokenizer, int dimension, int maxTokens, boolean clsPooling, double threshold) {
            this.id = id;
            this.onnxResource = onnx;
            this.tokenizerResource = tokenizer;
            this.dimension = dimension;
            this.maxTokens = maxTokens;
            this.clsPooling = clsPooling;
            this.defaultThreshold = threshold;
        }

        public String id() {
            return id;
        }

        /** The model as {@link LocalOnnxEncoder} runs it: bundled resources, no prefixes. */
        public OnnxModelSpec spec() {
            return new OnnxModelSpec("local", id, "", OnnxModelSpec.Source.resource(onnxResource), OnnxModelSpec.Source.resource(tokenizerResource),
                    clsPooling ? OnnxModelSpec.Pooling.CLS : OnnxModelSpec.Pooling.MEAN, maxTokens, "", "", dimension, defaultThreshold);
        }

        /**
         * The names this model goes by, compared whole and ignoring case: its id, the id without the
         * {@code -q} (quantized) suffix, and the Hugging Face name semantic-router writes as
         * {@code encoder_name}. No prefixes or abbreviations: {@code bge} is not a model name.
         */
        public List<String> names() {
            String plain = id.substring(0, id.length() - 2);
            return List.of(plain, id, (this == ALL_MINILM_L6_V2_Q ? "sentence-transformers/" : "BAAI/") + plain);
        }

        public static java.util.Optional<Model> find(String name) {
            String n = name.trim();
            return Arrays.stream(values()).filter(m -> m.names().stream().anyMatch(n::equalsIgnoreCase)).findFirst();
        }

        /** @throws SrouterException (usage) naming the accepted names */
        public static Model parse(String name) {
            return find(name).orElseThrow(() -> SrouterException.usage("unknown local model '" + name + "': use "
                    + String.join(" or ", Arrays.stream(values()).map(m -> m.names().get(0)).toList())));
        }
    }

    private final OnnxModelSpec spec;
    private final int threads;
    private volatile Loaded loaded;

    /**
     * @param output the name of the output read: the last hidden state ([batch, tokens, dimension]) to pool, or a
     *     sentence embedding ([batch, dimension]) an export computed itself
     * @param pooled whether {@code output} is already one vector per text
     * @param tokenTypes whether the graph takes {@code token_type_ids} (BERT does, MPNet and others do not)
     * @param batchExact whether texts of one token length may run as one batch ({@link #probeBatchExact})
     */
    private record Loaded(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer, ExecutorService pool, String output,
            boolean pooled, boolean tokenTypes, int dimension, boolean batchExact) {
        Loaded withBatchExact(boolean exact) {
            return new Loaded(env, session, tokenizer, pool, output, pooled, tokenTypes, dimension, exact);
        }
    }

    /** {@code -Dsrouter.onnx.batch=false} runs every text alone: the path the benchmark compares batching with. */
    static final String BATCH_PROPERTY = "srouter.onnx.batch";

    /** The most texts of one length run as one batch; more would idle the other threads for no gain. */
    static final int MAX_BATCH = 32;

    public LocalOnnxEncoder(Model model) {
        this(model.spec(), Runtime.getRuntime().availableProcessors());
    }

    public LocalOnnxEncoder(Model model, int threads) {
        this(model.spec(), threads);
    }

    public LocalOnnxEncoder(OnnxModelSpec spec) {
        this(spec, Runtime.getRuntime().availableProcessors());
    }

    public LocalOnnxEncoder(OnnxModelSpec spec, int threads) {
        this.spec = spec;
        this.threads = Math.max(1, threads);
    }

    @Override
    public String type() {
        return spec.type();
    }

    @Override
    public String model() {
        return spec.model();
    }

    /** The documented size; for a user's model without {@code config.json}, what the graph says once it is loaded. */
    @Override
    public int dimension() {
        if (spec.dimension() > 0) {
            return spec.dimension();
        }
        return load().dimension();
    }

    /** A user's model is cached by the file's path, size and time and the settings that change its vectors. */
    @Override
    public String cacheKey() {
        return spec.cacheIdentity().isEmpty() ? name() : name() + "@" + spec.cacheIdentity();
    }

    @Override
    public boolean asymmetric() {
        return spec.asymmetric();
    }

    @Override
    public double defaultThreshold() {
        return spec.defaultThreshold();
    }

    /** True once the model has been loaded (tests check that cached runs never load it). */
    public boolean isLoaded() {
        return loaded != null;
    }

    @Override
    public List<float[]> encode(List<String> texts, Input input) {
        if (texts.isEmpty()) {
            return List.of();
        }
        Loaded l = load();
        String prefix = spec.prefix(input);
        float[][] out = new float[texts.size()][];
        List<Runnable> tasks = new ArrayList<>();
        if (l.batchExact && texts.size() > 1) {
            // Texts of one token length need no padding; where the graph gives each row of such a batch the vector
            // the text gets alone (checked at load), they run together, MAX_BATCH at a time.
            Map<Integer, List<Integer>> byLength = new java.util.TreeMap<>();
            Encoding[] encodings = new Encoding[texts.size()];
            for (int i = 0; i < encodings.length; i++) {
                encodings[i] = l.tokenizer.encode(prefix + texts.get(i));
                byLength.computeIfAbsent(encodings[i].getIds().length, k -> new ArrayList<>()).add(i);
            }
            for (List<Integer> group : byLength.values()) {
                for (int from = 0; from < group.size(); from += MAX_BATCH) {
                    List<Integer> chunk = group.subList(from, Math.min(group.size(), from + MAX_BATCH));
                    tasks.add(() -> {
                        List<float[]> vectors = embedGroup(l, chunk.stream().map(i -> encodings[i]).toList());
                        for (int j = 0; j < chunk.size(); j++) {
                            out[chunk.get(j)] = vectors.get(j);
                        }
                    });
                }
            }
        } else {
            for (int i = 0; i < out.length; i++) {
                int at = i;
                tasks.add(() -> out[at] = embedGroup(l, List.of(l.tokenizer.encode(prefix + texts.get(at)))).get(0));
            }
        }
        run(l, tasks);
        return Arrays.asList(out);
    }

    /** Runs the tasks on the encoder's threads (on this one when there is one task or one thread). */
    private void run(Loaded l, List<Runnable> tasks) {
        if (tasks.size() == 1 || threads == 1) {
            tasks.forEach(Runnable::run);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(tasks.size());
        for (Runnable t : tasks) {
            futures.add(l.pool.submit(t));
        }
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SrouterException.failure("interrupted while encoding");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new SrouterException(1, "the " + type() + " encoder failed: " + cause, cause);
        }
    }

    /** How many tokens {@code text} becomes (after truncation). */
    int tokenLength(String text) {
        return load().tokenizer.encode(text).getIds().length;
    }

    /** Whether this model runs texts of one token length as one batch (see {@link #probeBatchExact}). */
    boolean batchesExactly() {
        return load().batchExact;
    }

    /** The vectors of texts whose token sequences all have one length, run as one batch: no padding. */
    private List<float[]> embedGroup(Loaded l, List<Encoding> encodings) {
        int n = encodings.size();
        int len = encodings.get(0).getIds().length;
        long[] ids = new long[n * len];
        long[] mask = new long[n * len];
        for (int i = 0; i < n; i++) {
            long[] e = encodings.get(i).getIds();
            if (e.length != len) {
                throw new IllegalArgumentException("texts of different token lengths: " + len + " and " + e.length);
            }
            System.arraycopy(e, 0, ids, i * len, len);
            System.arraycopy(encodings.get(i).getAttentionMask(), 0, mask, i * len, len);
        }
        long[] shape = {n, len};
        try (OnnxTensor inIds = OnnxTensor.createTensor(l.env, LongBuffer.wrap(ids), shape);
                OnnxTensor inMask = OnnxTensor.createTensor(l.env, LongBuffer.wrap(mask), shape);
                OnnxTensor inTypes = l.tokenTypes ? OnnxTensor.createTensor(l.env, LongBuffer.wrap(new long[n * len]), shape) : null) {
            Map<String, OnnxTensor> inputs = inTypes == null ? Map.of("input_ids", inIds, "attention_mask", inMask)
                    : Map.of("input_ids", inIds, "attention_mask", inMask, "token_type_ids", inTypes);
            try (OrtSession.Result result = l.session.run(inputs, Set.of(l.output))) {
                // [n, tokens, dimension] or [n, dimension]; read as one flat buffer instead of nested arrays.
                FloatBuffer all = ((OnnxTensor) result.get(0)).getFloatBuffer();
                int per = all.capacity() / n;
                List<float[]> vectors = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    FloatBuffer row = all.slice(i * per, per);
                    float[] v;
                    if (l.pooled) {
                        v = new float[per];
                        row.get(v);
                    } else {
                        v = pool(row, Arrays.copyOfRange(mask, i * len, (i + 1) * len), len);
                    }
                    vectors.add(Encoder.normalize(v));
                }
                return vectors;
            }
        } catch (OrtException e) {
            throw new SrouterException(1, "the " + type() + " encoder failed: " + e.getMessage(), e);
        }
    }

    /**
     * Whether the graph gives each row of a batch of equal-length texts exactly the vector the text gets alone. A
     * float32 export does (MiniLM: 1,983 of 1,983 texts bit-identical); the bundled quantized models do not (0 of
     * 1,983, cosine down to 0.964), since their dynamic quantization takes its scale from the whole input tensor, so a
     * text's vector would depend on its neighbours. Checked at load on a dozen short sentences, grouped by length.
     */
    private boolean probeBatchExact(Loaded l) {
        if ("false".equals(System.getProperty(BATCH_PROPERTY))) {
            return false;
        }
        String[] sentences = {"where is my order", "how do i log in", "hello there", "thanks a lot", "refund please", "good morning",
            "my card was charged twice", "the app keeps crashing", "what is the weather like", "i want to cancel", "see you later", "hi"};
        Map<Integer, List<Encoding>> byLength = new java.util.TreeMap<>();
        for (String text : sentences) {
            Encoding e = l.tokenizer.encode(spec.documentPrefix() + text);
            byLength.computeIfAbsent(e.getIds().length, k -> new ArrayList<>()).add(e);
        }
        int tried = 0;
        for (List<Encoding> same : byLength.values()) {
            if (same.size() < 2) {
                continue;
            }
            tried++;
            List<float[]> together = embedGroup(l, same);
            for (int i = 0; i < same.size(); i++) {
                if (!Arrays.equals(together.get(i), embedGroup(l, List.of(same.get(i))).get(0))) {
                    return false;
                }
            }
        }
        return tried > 0;
    }

    /** The sentence vector of one text's token vectors, {@code hidden} holding {@code tokens} rows. */
    private float[] pool(FloatBuffer hidden, long[] mask, int tokens) {
        int dim = hidden.capacity() / tokens;
        float[] v = new float[dim];
        if (spec.pooling() == OnnxModelSpec.Pooling.CLS) {
            hidden.get(v, 0, dim);
            return v;
        }
        float[] row = new float[dim];
        int n = 0;
        for (int t = 0; t < tokens; t++) {
            hidden.get(row, 0, dim);
            if (mask[t] == 0) {
                continue;
            }
            n++;
            for (int k = 0; k < dim; k++) {
                v[k] += row[k];
            }
        }
        for (int k = 0; k < dim; k++) {
            v[k] /= n;
        }
        return v;
    }

    private Loaded load() {
        Loaded l = loaded;
        if (l != null) {
            return l;
        }
        synchronized (this) {
            if (loaded == null) {
                loaded = doLoad();
            }
            return loaded;
        }
    }

    private Loaded doLoad() {
        OrtSession session = null;
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            // One thread per call; parallelism comes from running several calls at once.
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OnnxModelSpec.Source graph = spec.graph();
            if (graph.file() != null) {
                session = env.createSession(graph.file().toString(), options);
            } else {
                try (InputStream in = graph.open()) {
                    session = env.createSession(in.readAllBytes(), options);
                }
            }
            Set<String> inputs = session.getInputNames();
            if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
                throw notAnEmbedder("its inputs are " + inputs + ", not input_ids and attention_mask");
            }
            Output output = output(session);
            HuggingFaceTokenizer tokenizer;
            try (InputStream in = spec.tokenizer().open()) {
                tokenizer = HuggingFaceTokenizer.newInstance(in,
                        Map.of("padding", "false", "truncation", "true", "maxLength", Integer.toString(spec.maxTokens())));
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "srouter-encoder");
                t.setDaemon(true);
                return t;
            });
            Loaded l = new Loaded(env, session, tokenizer, pool, output.name, output.pooled, inputs.contains("token_type_ids"), output.dimension,
                    false);
            return l.withBatchExact(probeBatchExact(l));
        } catch (OrtException | IOException | RuntimeException e) {
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException ignored) {
                    // already failing
                }
            }
            if (e instanceof SrouterException se) {
                throw se;
            }
            boolean bundled = spec.type().equals("local");
            String what = bundled ? "the local model " + spec.model() : spec.graph() + " (onnx:" + spec.model() + ")";
            throw new SrouterException(bundled ? ExitCode.FAILURE : ExitCode.USAGE, "cannot load " + what + ": " + e.getMessage(), e);
        }
    }

    private record Output(String name, boolean pooled, int dimension) {}

    /**
     * The output to read: {@code sentence_embedding} ([batch, dimension]) when the export pooled itself, else the first
     * float output of rank 3 (the last hidden state). Anything else is not a sentence-embedding model.
     */
    private Output output(OrtSession session) throws OrtException {
        Output hidden = null;
        List<String> seen = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
            if (!(e.getValue().getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
                seen.add(e.getKey());
                continue;
            }
            long[] shape = t.getShape();
            seen.add(e.getKey() + " " + Arrays.toString(shape));
            int dim = shape.length > 0 && shape[shape.length - 1] > 0 ? (int) shape[shape.length - 1] : -1;
            if (shape.length == 2 && e.getKey().equals("sentence_embedding")) {
                return new Output(e.getKey(), true, dim);
            }
            if (shape.length == 3 && hidden == null) {
                hidden = new Output(e.getKey(), false, dim);
            }
        }
        if (hidden == null) {
            throw notAnEmbedder("none of its outputs is token vectors [batch, tokens, dimension] or a sentence_embedding "
                    + "[batch, dimension]: " + seen);
        }
        return hidden;
    }

    private SrouterException notAnEmbedder(String why) {
        return SrouterException.usage(spec.graph() + " is not a sentence-embedding model srouter can run: " + why
                + "; export a sentence-transformers or BERT-style encoder (optimum-cli export onnx --task feature-extraction)");
    }

    @Override
    public synchronized void close() {
        Loaded l = loaded;
        loaded = null;
        if (l != null) {
            // Embeddings already running must end before the session and tokenizer are freed: freeing them under a
            // running OrtSession.run crashes the JVM (SIGSEGV in libonnxruntime, exit 134), as when a closed stdout
            // ends route - while the read-ahead is still embedding.
            l.pool.shutdownNow();
            try {
                l.pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            l.tokenizer.close();
            try {
                l.session.close();
            } catch (OrtException ignored) {
                // closing on the way out; nothing to do
            }
        }
    }
}
