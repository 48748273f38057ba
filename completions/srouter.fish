# fish completion for srouter, generated from its command model by `srouter completion fish`.
# Install it with `srouter completion fish > ~/.config/fish/completions/srouter.fish`. It completes
# commands, options, the values of options that take a fixed set (--strategy, --encoder, --index,
# -o, ...), paths, and route names for --filter, which it asks of `srouter completion --list-routes`
# for the routes file (-r) on the line.

# The command given so far (route, sync, ...); fails before one and after --.
function __srouter_command
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case --
                return 1
            case '--*=*'
            case -r --routes --encoder --encoder-model --encoder-url --onnx-pooling --onnx-max-length --onnx-query-prefix --onnx-document-prefix --index --qdrant-url --pinecone-host --postgres-url --cloud --region --index-name --namespace --cache-dir -o --output --top-k --aggregation --threshold --filter --limit --data --data-format --min-accuracy --min-oos-recall --misses --thresholds --duplicate-similarity --route-similarity --min-utterances --fail-on --strategy --lock-timeout --batch-size --lease
                set skip 1
            case '-*'
            case init route repl eval fit lint diff sync push pull status unlock completion
                echo $t
                return 0
        end
    end
    return 1
end

# True when the command given is one of the arguments.
function __srouter_using
    set -l cmd (__srouter_command)
    or return 1
    contains -- $cmd $argv
end

function __srouter_no_command
    not __srouter_command >/dev/null
end

# Route names of the routes file on the line (-r FILE, else srouter's default), after the
# names already given to --filter (comma-separated).
function __srouter_routes
    set -l tokens (commandline -opc)
    set -l program $tokens[1]
    set -e tokens[1]
    set -l file
    set -l want 0
    for t in $tokens
        if test $want = 1
            set file $t
            set want 0
            continue
        end
        switch $t
            case -r --routes
                set want 1
            case '--routes=*'
                set file (string replace -- --routes= '' $t)
            case '-r?*'
                set file (string sub -s 3 -- $t)
        end
    end
    set -l value (string replace -r -- '^--filter=' '' (commandline -ct))
    set -l lead (string match -r -- '^.*,' $value)
    set -l chosen (string split , -- $lead)
    set -l args
    test -n "$file"; and set args --routes $file
    for name in ($program completion --list-routes $args 2>/dev/null)
        contains -- $name $chosen; or printf '%s%s\n' $lead $name
    end
end

# --index: local, qdrant, pinecone, postgres, or file: followed by a directory.
function __srouter_index
    set -l value (string replace -r -- '^--index=' '' (commandline -ct))
    if string match -q -- 'file:*' $value
        for dir in (__fish_complete_directories (string sub -s 6 -- $value))
            echo file:$dir
        end
    else
        printf '%s\n' local file: qdrant pinecone postgres
    end
end

# No file names unless an option takes a path.
complete -c srouter -f

complete -c srouter -n __srouter_no_command -a init -d 'Write a starter routes file: the routes of srouter\'s routes-example.yaml, under a comment header.'
complete -c srouter -n __srouter_no_command -a route -d 'Route each TEXT to its closest route, or to none (\'-\') when no route passes its threshold.'
complete -c srouter -n __srouter_no_command -a repl -d 'Route utterances typed at an interactive prompt.'
complete -c srouter -n __srouter_no_command -a eval -d 'Route labelled queries and report how often the decision is right: in-scope accuracy, out-of-scope recall, per-route precision, recall and F1, the most confused pairs, and the calibration error when the decision carries a confidence.'
complete -c srouter -n __srouter_no_command -a fit -d 'Learn the routing decision from the route utterances and labelled validation queries, and write it.'
complete -c srouter -n __srouter_no_command -a lint -d 'Check the routes file for utterances and routes that routing may confuse.'
complete -c srouter -n __srouter_no_command -a diff -d 'Show how the routes file and the remote index differ, and what a sync with --strategy would do.'
complete -c srouter -n __srouter_no_command -a sync -d 'Bring the routes file and the remote index together with one of six strategies.'
complete -c srouter -n __srouter_no_command -a push -d 'Make the remote index equal to the routes file: \'sync --strategy local\'.'
complete -c srouter -n __srouter_no_command -a pull -d 'Make the routes file equal to the remote index: \'sync --strategy remote\'.'
complete -c srouter -n __srouter_no_command -a status -d 'Facts about the remote index: records, dimension, recorded encoder, lock, and whether it is in sync.'
complete -c srouter -n __srouter_no_command -a unlock -d 'Break a stale lock on the remote index (a crashed sync\'s lease, or semantic-router\'s sr_lock), saying whose it was.'
complete -c srouter -n __srouter_no_command -a completion -d 'Print a shell completion script for bash, zsh or fish.'

# Global options: before or after the command.
complete -c srouter -s r -l routes -r -F -d 'Routes file (YAML, semantic-router\'s layout).'
complete -c srouter -l encoder -x -a 'local local:all-MiniLM-L6-v2 local:bge-small-en-v1.5 openai azure cohere google bedrock mistral voyage jina nim ollama tei'
complete -c srouter -l encoder -x -d 'Encoder: local (all-MiniLM-L6-v2, in-process), local:bge-small-en-v1.5, onnx:DIR (your ONNX export), or an HTTP provider: openai, azure, cohere, google, bedrock, mistral, voyage, jina, nim, ollama, tei (NAME:MODEL picks a model).'
complete -c srouter -l encoder-model -x -d 'Model of the encoder, the same as NAME:MODEL (each provider\'s default: see README).'
complete -c srouter -l encoder-url -x -d 'Base URL of the encoder\'s server: an OpenAI-compatible one for openai (else OPENAI_BASE_URL), the endpoint for azure and tei, a proxy or self-hosted server for the others (else the provider\'s own).'
complete -c srouter -l onnx-pooling -x -d 'onnx:DIR: how token vectors become one (default: the export\'s pooling config, else mean).'
complete -c srouter -l onnx-max-length -x -d 'onnx:DIR: longest input in tokens (default: the export\'s max_seq_length, else its tokenizer\'s or model\'s limit).'
complete -c srouter -l onnx-query-prefix -x -d 'onnx:DIR: text put before each query, e.g. \'query: \' for e5 (default: the export\'s prompts.query, else none).'
complete -c srouter -l onnx-document-prefix -x -d 'onnx:DIR: text put before each route utterance, e.g. \'passage: \' for e5 (default: the export\'s prompts, else none).'
complete -c srouter -l index -x -a '(__srouter_index)'
complete -c srouter -l index -x -d 'Index: local (in memory, from the routes file), file:PATH (an embedded remote in a directory), qdrant, pinecone or postgres.'
complete -c srouter -l qdrant-url -x -d 'Qdrant gRPC endpoint, e.g. http://localhost:6334.'
complete -c srouter -l pinecone-host -x -d 'Control plane of a Pinecone emulator (Pinecone Local), e.g. http://localhost:5080, reached with TLS off.'
complete -c srouter -l postgres-url -x -d 'PostgreSQL with pgvector for --index postgres, e.g. postgresql://app@db.example.com:5432/routes?sslmode=require.'
complete -c srouter -l cloud -x -a 'aws gcp azure'
complete -c srouter -l cloud -x -d 'Cloud of a Pinecone index srouter creates (aws, gcp, azure).'
complete -c srouter -l region -x -d 'Region of a Pinecone index srouter creates.'
complete -c srouter -l index-name -x -d 'Name of the remote index (scope of its config entries).'
complete -c srouter -l namespace -x -d 'Namespace within the remote index.'
complete -c srouter -l cache-dir -x -a '(__fish_complete_directories)'
complete -c srouter -l cache-dir -x -d 'Embedding cache directory.'
complete -c srouter -l no-cache -d 'Do not read or write the embedding cache.'
complete -c srouter -s o -l output -x -a 'text json tsv'
complete -c srouter -s o -l output -x -d 'Output format: text, json (one object per line) or tsv.'
complete -c srouter -l no-color -d 'No colour.'
complete -c srouter -s v -l verbose -d 'Say more on stderr (timings, cache use, stack traces).'
complete -c srouter -s q -l quiet -d 'Print only results and errors.'
complete -c srouter -s h -l help -d 'Show this help message and exit.'
complete -c srouter -s V -l version -d 'Print version information and exit.'

# Options of one command.
complete -c srouter -n '__srouter_using init' -l force -d 'Replace the routes file if it exists, keeping the previous one as FILE.bak.'
complete -c srouter -n '__srouter_using route repl eval' -l top-k -x -d 'Nearest utterances to consider.'
complete -c srouter -n '__srouter_using route repl eval' -l aggregation -x -a 'mean max sum'
complete -c srouter -n '__srouter_using route repl eval' -l aggregation -x -d 'How a route\'s similarities among the top-k become its score: mean, max or sum.'
complete -c srouter -n '__srouter_using route repl eval' -l threshold -x -d 'Global score threshold in [0,1] for routes without their own score_threshold.'
complete -c srouter -n '__srouter_using route repl eval' -l filter -x -a '(__srouter_routes)'
complete -c srouter -n '__srouter_using route repl eval' -l filter -x -d 'Only consider these routes (comma-separated).'
complete -c srouter -n '__srouter_using route repl' -l limit -x -d 'Return up to N passing routes, best first.'
complete -c srouter -n '__srouter_using route repl eval' -l no-fit -d 'Decide with the kNN decision (top-k similarities against thresholds) even when srouter fit has written a fitted decision beside the routes file (ROUTES.fit.json).'
complete -c srouter -n '__srouter_using route repl' -l explain -d 'Also show the nearest utterances and every candidate route\'s score against its threshold.'
complete -c srouter -n '__srouter_using eval' -l data -r -F -d 'Labelled queries, JSONL or TSV (repeatable; the files are concatenated).'
complete -c srouter -n '__srouter_using eval' -l data-format -x -a 'jsonl tsv'
complete -c srouter -n '__srouter_using eval' -l data-format -x -d 'Format of every --data file: jsonl, tsv.'
complete -c srouter -n '__srouter_using eval' -l min-accuracy -x -d 'Exit 2 when the in-scope accuracy is below X, in [0,1].'
complete -c srouter -n '__srouter_using eval' -l min-oos-recall -x -d 'Exit 2 when the out-of-scope recall is below Y, in [0,1]; needs queries labelled none.'
complete -c srouter -n '__srouter_using eval' -l misses -r -F -d 'Write the queries whose decision differs from their label to FILE (TSV), replacing it atomically.'
complete -c srouter -n '__srouter_using fit' -l data -r -F -d 'Labelled validation queries, JSONL or TSV (repeatable; the files are concatenated).'
complete -c srouter -n '__srouter_using fit' -l data-format -x -a 'jsonl tsv'
complete -c srouter -n '__srouter_using fit' -l data-format -x -d 'Format of every --data file: jsonl or tsv.'
complete -c srouter -n '__srouter_using fit' -l top-k -x -d 'Nearest utterances the decisions look at, as route\'s --top-k.'
complete -c srouter -n '__srouter_using fit' -l aggregation -x -a 'mean max sum'
complete -c srouter -n '__srouter_using fit' -l aggregation -x -d 'The kNN decision\'s aggregation the thresholds are fitted for (mean, max or sum).'
complete -c srouter -n '__srouter_using fit' -l thresholds -x -a 'auto global per-route'
complete -c srouter -n '__srouter_using fit' -l thresholds -x -d 'Which kNN thresholds to write: auto (per-route ones only where they beat one global threshold on held-out queries), global, or per-route (always).'
complete -c srouter -n '__srouter_using fit' -l min-oos-recall -x -d 'Choose the thresholds for the most in-scope accuracy at an out-of-scope recall of at least R (0..1) on the validation queries, instead of the best mean of the two; needs queries labelled none, and writes one global kNN threshold.'
complete -c srouter -n '__srouter_using fit' -l no-thresholds -d 'Write only ROUTES.fit.json; leave the routes file\'s score_threshold values alone.'
complete -c srouter -n '__srouter_using fit' -l dry-run -d 'Fit and report, write nothing.'
complete -c srouter -n '__srouter_using lint' -l duplicate-similarity -x -d 'Utterances of two routes at least this similar (cosine, in [0,1]) are duplicates.'
complete -c srouter -n '__srouter_using lint' -l route-similarity -x -d 'Routes whose centroids are at least this similar (cosine, in [0,1]) are close.'
complete -c srouter -n '__srouter_using lint' -l min-utterances -x -d 'Routes with fewer utterances than this are reported (0: never).'
complete -c srouter -n '__srouter_using lint' -l fail-on -x -a 'misplaced duplicate close-routes few-utterances all none'
complete -c srouter -n '__srouter_using lint' -l fail-on -x -d 'Kinds of finding that make the exit code 2 (comma-separated): misplaced, duplicate, close-routes, few-utterances, all or none.'
complete -c srouter -n '__srouter_using diff' -l strategy -x -a 'error remote local merge-force-remote merge-force-local merge'
complete -c srouter -n '__srouter_using diff' -l strategy -x -d 'Strategy whose planned actions are shown: error, remote, local, merge-force-remote, merge-force-local, merge.'
complete -c srouter -n '__srouter_using diff' -l summary -d 'Only the per-route counts and the summary line.'
complete -c srouter -n '__srouter_using sync push pull' -l dry-run -d 'Show the diff and the plan, write nothing (exit 0 when there is nothing to do, 2 otherwise).'
complete -c srouter -n '__srouter_using sync push pull' -s y -l yes -d 'Apply without asking (needed when not on a terminal).'
complete -c srouter -n '__srouter_using sync push pull' -l reembed -d 'Rebuild every vector on the remote with this run\'s encoder (when the remote was written with another).'
complete -c srouter -n '__srouter_using sync push pull' -l allow-empty -d 'Apply a plan that deletes every record of the remote (an empty routes file pushed, for example); refused without it, even with --yes.'
complete -c srouter -n '__srouter_using sync push pull' -l lock-timeout -x -d 'How long to wait for another sync\'s lock (e.g. 0, 30s, 2m).'
complete -c srouter -n '__srouter_using sync push pull' -l summary -d 'Show only the per-route counts and the summary line, not every utterance.'
complete -c srouter -n '__srouter_using sync push pull' -l batch-size -x -d 'Records per write call.'
complete -c srouter -n '__srouter_using sync' -l strategy -x -a 'error remote local merge-force-remote merge-force-local merge'
complete -c srouter -n '__srouter_using sync' -l strategy -x -d 'error, remote, local, merge-force-remote, merge-force-local or merge.'
complete -c srouter -n '__srouter_using unlock' -l force -d 'Also break a lease that has not expired (its sync may still be running): asks on a terminal; elsewhere needs --lease.'
complete -c srouter -n '__srouter_using unlock' -l lease -x -d 'With --force: the id of the live lease to break, as srouter status prints it (like terraform force-unlock LOCK_ID); needed without a terminal.'

# Arguments.
complete -c srouter -n '__srouter_using completion' -a 'bash zsh fish'
