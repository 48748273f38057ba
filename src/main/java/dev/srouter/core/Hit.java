package dev.srouter.core;

/** One stored utterance near a query, with its cosine similarity to the query. */
public record Hit(String route, String utterance, double score) {}
