package dev.srouter.core;

/**
 * A route that had at least one utterance among the top-k hits.
 *
 * @param score the aggregated score (mean, max or sum of the route's hit similarities); routes are ranked by it
 * @param bestSimilarity the highest similarity among the route's hits; this is what is held against the threshold
 * @param threshold the route's own score_threshold, else the global threshold
 * @param passed bestSimilarity reached threshold
 * @param hits how many of the top-k hits belong to this route
 */
public record Candidate(String route, double score, double bestSimilarity, double threshold, boolean passed, int hits) {}
