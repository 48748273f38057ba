package dev.srouter.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code srouter}: the global options and the list of commands; it does nothing by itself. */
@Command(
        name = "srouter",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Route text to the closest route by embedding similarity, and keep route definitions in sync with remote "
                + "vector indexes.",
        subcommands = {InitCommand.class, RouteCommand.class, ReplCommand.class, EvalCommand.class, FitCommand.class, LintCommand.class,
            DiffCommand.class, SyncCommand.class, PushCommand.class, PullCommand.class, StatusCommand.class, UnlockCommand.class, CompletionCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  srouter init                                   # a starter routes.yaml to edit",
            "  srouter route -r routes-example.yaml \"how's the weather today?\"",
            "  cat questions.txt | srouter route -r routes.yaml -o tsv -",
            "  srouter repl -r routes.yaml",
            "  srouter diff -r routes.yaml --index file:.srouter-index",
            "  srouter sync -r routes.yaml --index file:.srouter-index --strategy merge",
            "",
            "Every long option --name can also be set with the environment variable SROUTER_NAME (for example "
                    + "SROUTER_ROUTES=routes.yaml), except --yes, --force, --reembed, --allow-empty and --lease, which only the "
                    + "command line gives. Exit codes: 0 ok, 1 failure, 2 differences, 3 remote locked, "
                    + "4 remote or encoder unreachable, 64 usage error, 65 invalid routes file, 130 interrupted.",
        })
public final class RootCommand implements Runnable {
    final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Option(names = {"-r", "--routes"}, scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "routes.yaml",
            description = "Routes file (YAML, semantic-router's layout). Default: ${DEFAULT-VALUE}.")
    Path routes;

    @Option(names = "--encoder", scope = ScopeType.INHERIT, paramLabel = "NAME", completionCandidates = CompletionValues.EncoderNames.class,
            description = {"Encoder: local (all-MiniLM-L6-v2, in-process), local:bge-small-en-v1.5, onnx:DIR (your ONNX export),",
                "or an HTTP provider: openai, azure, cohere, google, bedrock, mistral, voyage, jina, nim, ollama, tei (NAME:MODEL",
                "picks a model). Default: the routes file's encoder_type (semantic-router's values too), else local."})
    String encoder;

    @Option(names = "--encoder-model", scope = ScopeType.INHERIT, paramLabel = "MODEL",
            description = "Model of the encoder, the same as NAME:MODEL (each provider's default: see README).")
    String encoderModel;

    @Option(names = "--encoder-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = {"Base URL of the encoder's server: an OpenAI-compatible one for openai (else OPENAI_BASE_URL), the",
                "endpoint for azure and tei, a proxy or self-hosted server for the others (else the provider's own)."})
    String encoderUrl;

    @Option(names = "--onnx-pooling", scope = ScopeType.INHERIT, paramLabel = "mean|cls",
            description = "onnx:DIR: how token vectors become one (default: the export's pooling config, else mean).")
    String onnxPooling;

    @Option(names = "--onnx-max-length", scope = ScopeType.INHERIT, paramLabel = "TOKENS",
            description = "onnx:DIR: longest input in tokens (default: the export's max_seq_length, else its tokenizer's or model's limit).")
    Integer onnxMaxLength;

    @Option(names = "--onnx-query-prefix", scope = ScopeType.INHERIT, paramLabel = "TEXT",
            description = "onnx:DIR: text put before each query, e.g. 'query: ' for e5 (default: the export's prompts.query, else none).")
    String onnxQueryPrefix;

    @Option(names = "--onnx-document-prefix", scope = ScopeType.INHERIT, paramLabel = "TEXT",
            description = "onnx:DIR: text put before each route utterance, e.g. 'passage: ' for e5 (default: the export's prompts, else none).")
    String onnxDocumentPrefix;

    @Option(names = "--index", scope = ScopeType.INHERIT, paramLabel = "INDEX", defaultValue = "local",
            completionCandidates = CompletionValues.IndexKinds.class,
            description = {"Index: local (in memory, from the routes file), file:PATH (an embedded remote in a directory), qdrant, pinecone or postgres.",
                "diff, sync, push, pull, status and unlock need a remote one. Default: ${DEFAULT-VALUE}."})
    String index;

    @Option(names = "--qdrant-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = {"Qdrant gRPC endpoint, e.g. http://localhost:6334.",
                "https://HOST[:PORT] for TLS; the port is 6334 unless given.",
                "Else QDRANT_URL, else http://localhost:6334. The API key comes from QDRANT_API_KEY only."})
    String qdrantUrl;

    @Option(names = "--pinecone-host", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = {"Control plane of a Pinecone emulator (Pinecone Local), e.g. http://localhost:5080, reached with TLS off.",
                "Else PINECONE_HOST, else Pinecone's cloud. The API key comes from PINECONE_API_KEY only."})
    String pineconeHost;

    @Option(names = "--postgres-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = {"PostgreSQL with pgvector for --index postgres, e.g. postgresql://app@db.example.com:5432/routes?sslmode=require.",
                "Else POSTGRES_URL. The password from the URL, else PGPASSWORD, else ~/.pgpass; it is never printed."})
    String postgresUrl;

    @Option(names = "--cloud", scope = ScopeType.INHERIT, paramLabel = "CLOUD", defaultValue = "aws",
            completionCandidates = CompletionValues.Clouds.class,
            description = "Cloud of a Pinecone index srouter creates (aws, gcp, azure). Default: ${DEFAULT-VALUE}.")
    String cloud;

    @Option(names = "--region", scope = ScopeType.INHERIT, paramLabel = "REGION", defaultValue = "us-east-1",
            description = "Region of a Pinecone index srouter creates. Default: ${DEFAULT-VALUE}.")
    String region;

    @Option(names = "--index-name", scope = ScopeType.INHERIT, paramLabel = "NAME", defaultValue = "semantic-router-index",
            description = {"Name of the remote index (scope of its config entries). Default: ${DEFAULT-VALUE}.",
                "postgres: the table, default semantic_router_index (semantic-router's index_prefix + index_name)."})
    String indexName;

    @Option(names = "--namespace", scope = ScopeType.INHERIT, paramLabel = "NS", description = "Namespace within the remote index.")
    String namespace;

    @Option(names = "--cache-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Embedding cache directory. Default: $XDG_CACHE_HOME/srouter or ~/.cache/srouter.")
    Path cacheDir;

    @Option(names = "--no-cache", scope = ScopeType.INHERIT, negatable = false, description = "Do not read or write the embedding cache.")
    boolean noCache;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT", defaultValue = "text",
            description = "Output format: text, json (one object per line) or tsv. Default: ${DEFAULT-VALUE}.")
    OutputFormat output;

    @Option(names = "--no-color", scope = ScopeType.INHERIT, description = {"No colour. Colour is on only on a terminal; NO_COLOR (non-empty) or TERM=dumb turn it off,",
                "CLICOLOR_FORCE (not 0) turns it on without a terminal; --no-color wins over all."})
    boolean noColor;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Say more on stderr (timings, cache use, stack traces).")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "Print only results and errors.")
    boolean quiet;

    public RootCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    boolean verbose() {
        return verbose && !quiet;
    }

    @Override
    public void run() {
        spec.commandLine().usage(ctx.out());
    }
}
