package dev.srouter.index.qdrant;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.CollectionDescription;
import io.qdrant.client.grpc.Collections.CollectionExists;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.GetCollectionInfoResponse;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsResponse;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points.BatchResult;
import io.qdrant.client.grpc.Points.ClearPayloadPoints;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CountResponse;
import io.qdrant.client.grpc.Points.CountResult;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeleteFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePayloadPoints;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.GetResponse;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.QueryBatchPoints;
import io.qdrant.client.grpc.Points.QueryBatchResponse;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchBatchPoints;
import io.qdrant.client.grpc.Points.SearchBatchResponse;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.SearchResponse;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.UpdateBatchPoints;
import io.qdrant.client.grpc.Points.UpdateBatchResponse;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.PointsGrpc;
import io.qdrant.client.grpc.QdrantGrpc;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;
import java.util.function.Supplier;

/**
 * The gRPC services of {@link FakeQdrantServer}, built on the generated bases in the official
 * client jar. Each call is translated into one {@link FakeQdrantStore} operation (atomic under the
 * store's lock); methods not overridden here keep the generated behaviour, {@code UNIMPLEMENTED}.
 */
final class FakeQdrantServices {
    static final String TITLE = "qdrant - vector search engine";
    static final String VERSION = "1.17.0";

    private FakeQdrantServices() {}

    /** Runs {@code body} and answers with its result, or with the status it failed with. */
    static <T> void answer(StreamObserver<T> out, Supplier<T> body) {
        T result;
        try {
            result = body.get();
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        } catch (RuntimeException e) {
            out.onError(Status.INTERNAL.withDescription("fake Qdrant failed: " + e).withCause(e).asRuntimeException());
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    private static PointsOperationResponse op(UpdateResult result) {
        return PointsOperationResponse.newBuilder().setResult(result).build();
    }

    /** {@code qdrant.Qdrant}: HealthCheck, reporting the version the server acts as. */
    static final class Qdrant extends QdrantGrpc.QdrantImplBase {
        private final Supplier<String> version;

        Qdrant(Supplier<String> version) {
            this.version = version;
        }

        @Override
        public void healthCheck(HealthCheckRequest request, StreamObserver<HealthCheckReply> out) {
            answer(out, () -> HealthCheckReply.newBuilder().setTitle(TITLE).setVersion(version.get()).build());
        }
    }

    /** Whether {@code version} ({@code "1.15.3"}, maybe with a suffix) is at least {@code min}. */
    static boolean atLeast(String version, int... min) {
        String[] parts = version.split("[^0-9]+");
        for (int i = 0; i < min.length; i++) {
            int v = i < parts.length && !parts[i].isEmpty() ? Integer.parseInt(parts[i]) : 0;
            if (v != min[i]) {
                return v > min[i];
            }
        }
        return true;
    }

    /**
     * An upsert as a server of {@code version} decodes it: prost drops fields it does not know, so
     * {@code update_filter} is gone before 1.15.4 and {@code update_mode} before 1.17.0.
     */
    static UpsertPoints asDecodedBy(String version, UpsertPoints r) {
        UpsertPoints.Builder b = r.toBuilder();
        if (!atLeast(version, 1, 15, 4)) {
            b.clearUpdateFilter();
        }
        if (!atLeast(version, 1, 17, 0)) {
            b.clearUpdateMode();
        }
        return b.build();
    }

    /** {@code qdrant.Collections}: Create, Get, List, CollectionExists, Delete. */
    static final class Collections extends CollectionsGrpc.CollectionsImplBase {
        private final FakeQdrantStore store;

        Collections(FakeQdrantStore store) {
            this.store = store;
        }

        @Override
        public void create(CreateCollection request, StreamObserver<CollectionOperationResponse> out) {
            answer(out, () -> {
                store.create(request);
                return CollectionOperationResponse.newBuilder().setResult(true).build();
            });
        }

        @Override
        public void get(GetCollectionInfoRequest request, StreamObserver<GetCollectionInfoResponse> out) {
            answer(out, () -> GetCollectionInfoResponse.newBuilder()
                    .setResult(store.info(request.getCollectionName()))
                    .build());
        }

        @Override
        public void list(ListCollectionsRequest request, StreamObserver<ListCollectionsResponse> out) {
            answer(out, () -> {
                ListCollectionsResponse.Builder b = ListCollectionsResponse.newBuilder();
                store.names().forEach(n -> b.addCollections(CollectionDescription.newBuilder().setName(n)));
                return b.build();
            });
        }

        @Override
        public void collectionExists(CollectionExistsRequest request, StreamObserver<CollectionExistsResponse> out) {
            answer(out, () -> CollectionExistsResponse.newBuilder()
                    .setResult(CollectionExists.newBuilder().setExists(store.exists(request.getCollectionName())))
                    .build());
        }

        @Override
        public void delete(DeleteCollection request, StreamObserver<CollectionOperationResponse> out) {
            answer(out, () -> CollectionOperationResponse.newBuilder()
                    .setResult(store.delete(request.getCollectionName()))
                    .build());
        }
    }

    /** {@code qdrant.Points}: writes, reads, searches and field indexes. */
    static final class Points extends PointsGrpc.PointsImplBase {
        private final FakeQdrantStore store;
        private final Supplier<String> version;

        Points(FakeQdrantStore store, Supplier<String> version) {
            this.store = store;
            this.version = version;
        }

        @Override
        public void upsert(UpsertPoints sent, StreamObserver<PointsOperationResponse> out) {
            UpsertPoints r = asDecodedBy(version.get(), sent);
            answer(out, () -> op(store.upsert(r.getCollectionName(), r.getPointsList(),
                    r.hasUpdateFilter() ? r.getUpdateFilter() : null,
                    r.hasUpdateMode() ? r.getUpdateMode() : UpdateMode.Upsert, r.getWait())));
        }

        @Override
        public void delete(DeletePoints r, StreamObserver<PointsOperationResponse> out) {
            answer(out, () -> op(store.deletePoints(r.getCollectionName(), r.getPoints(), r.getWait())));
        }

        @Override
        public void get(GetPoints r, StreamObserver<GetResponse> out) {
            answer(out, () -> GetResponse.newBuilder()
                    .addAllResult(store.get(r.getCollectionName(), r.getIdsList(), r.getWithPayload(), r.getWithVectors()))
                    .build());
        }

        @Override
        public void setPayload(SetPayloadPoints r, StreamObserver<PointsOperationResponse> out) {
            answer(out, () -> op(store.setPayload(r.getCollectionName(), r.getPayloadMap(), selector(r),
                    r.hasKey() ? r.getKey() : null, false, r.getWait())));
        }

        @Override
        public void overwritePayload(SetPayloadPoints r, StreamObserver<PointsOperationResponse> out) {
            answer(out, () -> op(store.setPayload(r.getCollectionName(), r.getPayloadMap(), selector(r),
                    r.hasKey() ? r.getKey() : null, true, r.getWait())));
        }

        private static PointsSelector selector(SetPayloadPoints r) {
            if (!r.hasPointsSelector()) {
                throw Status.UNIMPLEMENTED
                        .withDescription("fake Qdrant does not support set/overwrite payload without points_selector")
                        .asRuntimeException();
            }
            return r.getPointsSelector();
        }

        @Override
        public void deletePayload(DeletePayloadPoints r, StreamObserver<PointsOperationResponse> out) {
            answer(out, () -> op(store.deletePayload(r.getCollectionName(), r.getKeysList(), r.getPointsSelector(),
                    r.getWait())));
        }

        @Override
        public void clearPayload(ClearPayloadPoints r, StreamObserver<PointsOperationResponse> out) {
            answer(out, () -> op(store.clearPayload(r.getCollectionName(), r.getPoints(), r.getWait())));
        }

        @Override
        public void updateBatch(UpdateBatchPoints r, StreamObserver<UpdateBatchResponse> out) {
            answer(out, () -> UpdateBatchResponse.newBuilder()
                    .addAllResult(store.updateBatch(r.getCollectionName(), r.getOperationsList(), r.getWait()))
                    .build());
        }

        @Override
        public void createFieldIndex(CreateFieldIndexCollection r, StreamObserver<PointsOperationResponse> out) {
            answer(out, () -> op(store.createFieldIndex(r)));
        }

        @Override
        public void deleteFieldIndex(DeleteFieldIndexCollection r, StreamObserver<PointsOperationResponse> out) {
            answer(out, () -> op(store.deleteFieldIndex(r.getCollectionName(), r.getFieldName(), r.getWait())));
        }

        @Override
        public void scroll(ScrollPoints r, StreamObserver<ScrollResponse> out) {
            answer(out, () -> store.scroll(r));
        }

        @Override
        public void count(CountPoints r, StreamObserver<CountResponse> out) {
            answer(out, () -> CountResponse.newBuilder()
                    .setResult(CountResult.newBuilder().setCount(store.count(r.getCollectionName(),
                            r.hasFilter() ? r.getFilter() : Filter.getDefaultInstance(), !r.hasExact() || r.getExact())))
                    .build());
        }

        @Override
        public void search(SearchPoints r, StreamObserver<SearchResponse> out) {
            answer(out, () -> SearchResponse.newBuilder()
                    .addAllResult(store.search(r.getCollectionName(), r))
                    .build());
        }

        @Override
        public void searchBatch(SearchBatchPoints r, StreamObserver<SearchBatchResponse> out) {
            answer(out, () -> {
                SearchBatchResponse.Builder b = SearchBatchResponse.newBuilder();
                synchronized (store) {
                    for (SearchPoints s : r.getSearchPointsList()) {
                        b.addResult(BatchResult.newBuilder().addAllResult(store.search(r.getCollectionName(), s)));
                    }
                }
                return b.build();
            });
        }

        @Override
        public void query(QueryPoints r, StreamObserver<QueryResponse> out) {
            answer(out, () -> QueryResponse.newBuilder()
                    .addAllResult(store.query(r.getCollectionName(), r))
                    .build());
        }

        @Override
        public void queryBatch(QueryBatchPoints r, StreamObserver<QueryBatchResponse> out) {
            answer(out, () -> {
                QueryBatchResponse.Builder b = QueryBatchResponse.newBuilder();
                synchronized (store) {
                    for (QueryPoints q : r.getQueryPointsList()) {
                        b.addResult(BatchResult.newBuilder().addAllResult(store.query(r.getCollectionName(), q)));
                    }
                }
                return b.build();
            });
        }
    }
}
