package dev.srouter.index.qdrant;

import dev.srouter.index.qdrant.FakeQdrantStore.FieldIndex;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.StrictModeConfig;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Qdrant's strict mode as {@link FakeQdrantServer} applies it, read from the server's source
 * (qdrant/qdrant at v1.19.0): {@code lib/collection/src/operations/verification/mod.rs}
 * ({@code check_request_filter}, {@code check_limit_opt}, {@code check_bool_opt}),
 * {@code lib/collection/src/problems/unindexed_field.rs} (which index types serve which condition)
 * and {@code lib/collection/src/operations/verification/update.rs} (filtered updates; the
 * {@code update_filter} of a conditional upsert is exempt).
 *
 * <p>What is checked, as in the server: only when {@code enabled} is true; a filter of a read
 * (Scroll, Count, Search, Query and their batches) when {@code unindexed_filtering_retrieve} is
 * false, and a filter of a filtered update (delete or payload writes by filter) when
 * {@code unindexed_filtering_update} is false (unset allows, as {@code Some(false)} is the only
 * value that refuses); {@code max_query_limit} on the limit of Scroll, Search and Query;
 * {@code search_allow_exact} on Count's {@code exact}; {@code upsert_max_batchsize} on the points of
 * an Upsert. A match on a string needs a keyword index (or uuid, for a UUID string), on an integer
 * an integer index, on a bool a bool index, a text match a text index; {@code is_empty} and
 * {@code is_null} are served by an index of any type; {@code has_id} needs none; nested filters are
 * walked with the key prefixed by {@code key[]}.
 *
 * <p>Errors are the server's: {@code INVALID_ARGUMENT} (a strict-mode error becomes
 * {@code StorageError::BadRequest}, which tonic maps to InvalidArgument) with text such as
 * {@code Bad request: Index required but not found for "namespace" of one of the following types:
 * [bool, datetime, float, geo, integer, keyword, text, uuid]. Help: Create an index for this key or
 * use a different filter.}
 */
final class FakeQdrantStrictMode {
    /** What Qdrant Cloud sets on a new collection (docs: "Strict mode ... enabled by default on Qdrant Cloud"). */
    static final StrictModeConfig CLOUD = StrictModeConfig.newBuilder()
            .setEnabled(true)
            .setUnindexedFilteringRetrieve(false)
            .setUnindexedFilteringUpdate(false)
            .build();

    /** The index capabilities of unindexed_field.rs, reduced to the payload types. */
    private enum Need { KEYWORD, UUID, INTEGER, BOOL, TEXT, ANY }

    private FakeQdrantStrictMode() {}

    static boolean on(StrictModeConfig c) {
        return c != null && c.hasEnabled() && c.getEnabled();
    }

    /** A read with {@code filter} (may be null) and {@code limit} (null when the call has none). */
    static void checkRead(StrictModeConfig c, Map<String, FieldIndex> indexes, Filter filter, Long limit) {
        if (!on(c)) {
            return;
        }
        if (limit != null && c.hasMaxQueryLimit() && limit > Integer.toUnsignedLong(c.getMaxQueryLimit())) {
            throw error("Limit exceeded " + limit + " > " + Integer.toUnsignedLong(c.getMaxQueryLimit()) + " for \"limit\"",
                    "Reduce the \"limit\" parameter to or below " + Integer.toUnsignedLong(c.getMaxQueryLimit()) + ".");
        }
        if (filter != null && c.hasUnindexedFilteringRetrieve() && !c.getUnindexedFilteringRetrieve()) {
            checkIndexed(indexes, filter);
        }
    }

    /** Count: its filter as a read, and {@code exact} against {@code search_allow_exact}. */
    static void checkCount(StrictModeConfig c, Map<String, FieldIndex> indexes, Filter filter, boolean exact) {
        if (!on(c)) {
            return;
        }
        if (exact && c.hasSearchAllowExact() && !c.getSearchAllowExact()) {
            throw error("Exact search disabled!", "Set exact=false.");
        }
        checkRead(c, indexes, filter, null);
    }

    /** A filtered update (delete points or write payload by filter). */
    static void checkUpdateFilter(StrictModeConfig c, Map<String, FieldIndex> indexes, Filter filter) {
        if (on(c) && filter != null && c.hasUnindexedFilteringUpdate() && !c.getUnindexedFilteringUpdate()) {
            checkIndexed(indexes, filter);
        }
    }

    /** An upsert of {@code points} points; its {@code update_filter} is exempt, as in the server. */
    static void checkUpsert(StrictModeConfig c, int points) {
        if (on(c) && c.hasUpsertMaxBatchsize() && points > c.getUpsertMaxBatchsize()) {
            throw error("Limit exceeded " + points + " > " + c.getUpsertMaxBatchsize() + " for \"upsert limit\"",
                    "Reduce the \"upsert limit\" parameter to or below " + c.getUpsertMaxBatchsize() + ".");
        }
    }

    private static void checkIndexed(Map<String, FieldIndex> indexes, Filter filter) {
        List<String[]> missing = new ArrayList<>();
        walk(indexes, filter, "", missing);
        if (!missing.isEmpty()) {
            String[] first = missing.get(0);
            throw error("Index required but not found for \"" + first[0] + "\" of one of the following types: [" + first[1] + "]",
                    "Create an index for this key or use a different filter.");
        }
    }

    private static void walk(Map<String, FieldIndex> indexes, Filter filter, String prefix, List<String[]> missing) {
        for (Condition cond : FakeQdrantFilters.conditions(filter)) {
            if (!missing.isEmpty()) {
                return; // the server stops at the first unindexed key
            }
            switch (cond.getConditionOneOfCase()) {
                case FIELD -> need(indexes, prefix + cond.getField().getKey(), needs(cond.getField()), missing);
                case IS_EMPTY -> need(indexes, prefix + cond.getIsEmpty().getKey(), EnumSet.of(Need.ANY), missing);
                case IS_NULL -> need(indexes, prefix + cond.getIsNull().getKey(), EnumSet.of(Need.ANY), missing);
                case FILTER -> walk(indexes, cond.getFilter(), prefix, missing);
                case NESTED -> walk(indexes, cond.getNested().getFilter(), prefix + cond.getNested().getKey() + "[].", missing);
                default -> {
                    // has_id and has_vector need no index
                }
            }
        }
    }

    private static Set<Need> needs(FieldCondition f) {
        Set<Need> needs = EnumSet.noneOf(Need.class);
        if (f.hasIsEmpty() || f.hasIsNull()) {
            needs.add(Need.ANY);
        }
        if (f.hasMatch()) {
            Match m = f.getMatch();
            switch (m.getMatchValueCase()) {
                case KEYWORD -> {
                    if (isUuid(m.getKeyword())) {
                        needs.add(Need.UUID);
                    }
                    needs.add(Need.KEYWORD);
                }
                case KEYWORDS, EXCEPT_KEYWORDS -> {
                    List<String> values = m.hasKeywords() ? m.getKeywords().getStringsList() : m.getExceptKeywords().getStringsList();
                    if (!values.isEmpty()) { // an empty list is a no-op that needs no index
                        if (values.stream().allMatch(FakeQdrantStrictMode::isUuid)) {
                            needs.add(Need.UUID);
                        }
                        needs.add(Need.KEYWORD);
                    }
                }
                case INTEGER -> needs.add(Need.INTEGER);
                case INTEGERS, EXCEPT_INTEGERS -> {
                    List<Long> values = m.hasIntegers() ? m.getIntegers().getIntegersList() : m.getExceptIntegers().getIntegersList();
                    if (!values.isEmpty()) {
                        needs.add(Need.INTEGER);
                    }
                }
                case BOOLEAN -> needs.add(Need.BOOL);
                case TEXT -> needs.add(Need.TEXT);
                default -> {
                    // validated elsewhere
                }
            }
        }
        return needs;
    }

    private static void need(Map<String, FieldIndex> indexes, String key, Set<Need> needs, List<String[]> missing) {
        if (needs.isEmpty()) {
            return;
        }
        FieldIndex index = indexes.get(key);
        if (index != null && (needs.contains(Need.ANY) || needs.contains(served(index.type())))) {
            return;
        }
        Set<String> types = new TreeSet<>();
        if (needs.contains(Need.ANY)) {
            types.addAll(List.of("bool", "datetime", "float", "geo", "integer", "keyword", "text", "uuid"));
        }
        for (Need n : needs) {
            if (n != Need.ANY) {
                types.add(n.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        missing.add(new String[] {key, String.join(", ", types)});
    }

    private static Need served(PayloadSchemaType type) {
        return switch (type) {
            case Keyword -> Need.KEYWORD;
            case Uuid -> Need.UUID;
            case Integer -> Need.INTEGER;
            case Bool -> Need.BOOL;
            case Text -> Need.TEXT;
            default -> null;
        };
    }

    private static boolean isUuid(String s) {
        try {
            UUID.fromString(s);
            return s.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static StatusRuntimeException error(String error, String help) {
        return Status.INVALID_ARGUMENT.withDescription("Bad request: " + error + ". Help: " + help).asRuntimeException();
    }
}
