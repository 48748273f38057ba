package dev.srouter.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.srouter.core.SrouterException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An embedding model that runs in-process on the CPU with ONNX Runtime. The quantized model and
 * its tokenizer come from langchain4j's model artifacts on the classpath; no network, no key.
 *
 * <p>Each text is run through the model on its own, never padded into a batch: the quantized
 * model computes its activation scales over the whole input tensor, so a batched text would get a
 * slightly different vector depending on its neighbours (cosine ~0.993 measured). Throughput comes
 * from running texts in parallel on one single-threaded-per-call session instead.
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

    private final Model model;
    private final int threads;
    private volatile Loaded loaded;

    private record Loaded(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer, ExecutorService pool) {}

    public LocalOnnxEncoder(Model model) {
        this(model, Runtime.getRuntime().availableProcessors());
    }

    public LocalOnnxEncoder(Model model, int threads) {
        this.model = model;
        this.threads = Math.max(1, threads);
    }

    @Override
    public String type() {
        return "local";
    }

    @Override
    public String model() {
        return model.id;
    }

    @Override
    public int dimension() {
        return model.dimension;
    }

    @Override
    public double defaultThreshold() {
        return model.defaultThreshold;
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
        if (texts.size() == 1 || threads == 1) {
            List<float[]> out = new ArrayList<>(texts.size());
            for (String t : texts) {
                out.add(embedOne(l, t));
            }
            return out;
        }
        List<Future<float[]>> futures = new ArrayList<>(texts.size());
        for (String t : texts) {
            futures.add(l.pool.submit(() -> embedOne(l, t)));
        }
        List<float[]> out = new ArrayList<>(texts.size());
        try {
            for (Future<float[]> f : futures) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SrouterException.failure("interrupted while encoding");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new SrouterException(1, "the local encoder failed: " + cause, cause);
        }
        return out;
    }

    private float[] embedOne(Loaded l, String text) {
        Encoding enc = l.tokenizer.encode(text);
        long[] ids = enc.getIds();
        long[] mask = enc.getAttentionMask();
        long[] types = new long[ids.length];
        long[] shape = {1, ids.length};
        try (OnnxTensor inIds = OnnxTensor.createTensor(l.env, LongBuffer.wrap(ids), shape);
                OnnxTensor inMask = OnnxTensor.createTensor(l.env, LongBuffer.wrap(mask), shape);
                OnnxTensor inTypes = OnnxTensor.createTensor(l.env, LongBuffer.wrap(types), shape);
                OrtSession.Result result = l.session.run(Map.of("input_ids", inIds, "attention_mask", inMask, "token_type_ids", inTypes))) {
            // The output is [1, tokens, dimension]; read it as one flat buffer instead of nested arrays.
            FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
            int dim = hidden.capacity() / ids.length;
            float[] v = new float[dim];
            if (model.clsPooling) {
                hidden.get(v, 0, dim);
            } else {
                float[] row = new float[dim];
                int n = 0;
                for (int t = 0; t < ids.length; t++) {
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
            }
            return Encoder.normalize(v);
        } catch (OrtException e) {
            throw new SrouterException(1, "the local encoder failed: " + e.getMessage(), e);
        }
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
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            // One thread per call; parallelism comes from running several calls at once.
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OrtSession session = env.createSession(resource(model.onnxResource), options);
            HuggingFaceTokenizer tokenizer;
            try (InputStream in = stream(model.tokenizerResource)) {
                tokenizer = HuggingFaceTokenizer.newInstance(in,
                        Map.of("padding", "false", "truncation", "true", "maxLength", Integer.toString(model.maxTokens)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "srouter-encoder");
                t.setDaemon(true);
                return t;
            });
            return new Loaded(env, session, tokenizer, pool);
        } catch (OrtException | IOException e) {
            throw new SrouterException(1, "cannot load the local model " + model.id + ": " + e.getMessage(), e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = stream(name)) {
            return in.readAllBytes();
        }
    }

    private static InputStream stream(String name) throws IOException {
        InputStream in = LocalOnnxEncoder.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("model resource " + name + " is not on the classpath");
        }
        return in;
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
