package dev.srouter.cli;

/** {@code -o/--output}. */
public enum OutputFormat {
    text, json, tsv
}
