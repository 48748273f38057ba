package dev.srouter.engine;

import dev.srouter.core.Batches;
import dev.srouter.core.ContentHash;
import dev.srouter.core.ExitCode;
import dev.srouter.core.Manifest;
import dev.srouter.core.Progress;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.SrouterException;
import dev.srouter.core.SyncPlan;
import dev.srouter.core.SyncPlanner;
import dev.srouter.core.SyncStrategy;
import dev.srouter.core.Utterance;
import dev.srouter.encoder.Encoder;
import dev.srouter.index.VectorIndex;
import dev.srouter.index.VectorIndex.RecordKey;
import dev.srouter.index.VectorIndex.StoredRecord;
import dev.srouter.index.VectorIndex.VectorRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The only code of the sync engine with side effects: reads the remote, plans with the pure
 * {@link SyncPlanner}, and applies a plan to the remote index in batches (deletes, then upserts
 * of newly embedded text, then payload-only rewrites), writing the manifest and hash last.
 * Record ids are deterministic, so a sync interrupted anywhere can simply be run again and
 * converges: nothing is lost or duplicated.
 */
public final class SyncService {
    /** Records per write call. */
    public static final int DEFAULT_BATCH = 500;

    private final VectorIndex index;
    private final Encoder encoder;
    private final Clock clock;
    private final int batchSize;
    private final Consumer<String> progress;
    private final String writtenBy;

    /**
     * @param encoder null when only comparing (diff, status)
     * @param writtenBy recorded in the manifest, e.g. {@code srouter 0.1.0}
     */
    public SyncService(VectorIndex index, Encoder encoder, Clock clock, int batchSize, String writtenBy, Consumer<String> progress) {
        this.writtenBy = writtenBy;
        this.index = index;
        this.encoder = encoder;
        this.clock = clock;
        this.batchSize = Math.max(1, batchSize);
        this.progress = progress;
    }

    /** Shows the progress of long work (pages read, records embedded and written, deletes) on {@code bars}. */
    public SyncService withProgress(Progress bars) {
        this.bars = bars == null ? Progress.NONE : bars;
        return this;
    }

    private Progress bars = Progress.NONE;

    /**
     * Local against remote. When the remote's manifest carries the local content hash, the answer
     * comes from that one config read: {@code fastPath} is set and no record was listed.
     */
    public record Comparison(RouteSet local, RouteSet remote, Optional<Manifest> manifest, SyncPlan plan, boolean fastPath,
            boolean indexExists, long remoteRecords, int remoteDimension) {}

    public Comparison compare(RouteSet local, SyncStrategy strategy, boolean allowFastPath) {
        VectorIndex.IndexInfo info = index.describe();
        if (!info.exists()) {
            return new Comparison(local, RouteSet.of(List.of()), Optional.empty(), SyncPlanner.plan(local, RouteSet.of(List.of()), strategy),
                    false, false, 0, -1);
        }
        Optional<Manifest> manifest = RemoteReader.manifest(index);
        // The hash says what was written; the count that the index holds it all still (records lost to an id
        // collision, or deleted by another tool, leave the hash as it was).
        if (allowFastPath && manifest.isPresent() && ContentHash.of(local).equals(manifest.get().contentHash())
                && manifest.get().records() == info.count()) {
            // The manifest is written last, so a matching hash means the records are complete: remote == local.
            return new Comparison(local, local, manifest, SyncPlanner.plan(local, local, strategy), true, true, -1, info.dimension());
        }
        RemoteReader.RemoteState remote;
        try (Progress.Task task = bars.start("reading " + index.describeLocation(), info.count() > 0 ? info.count() : -1)) {
            remote = RemoteReader.read(index, manifest, task);
        }
        return new Comparison(local, remote.routes(), remote.manifest(), SyncPlanner.plan(local, remote.routes(), strategy), false, true,
                remote.records(), info.dimension());
    }

    /**
     * Stops before any write when the remote holds vectors of another encoder than ours, or when the
     * index cannot keep the target's route names apart.
     *
     * @param reembed the user asked to rebuild every vector with our encoder
     */
    public void checkEncoder(Comparison c, boolean reembed) {
        c.plan().target().ifPresent(this::checkTarget);
        if (!c.indexExists() || reembed) {
            return;
        }
        if (c.plan().strategy() == SyncStrategy.REMOTE && c.manifest().map(Manifest::encoder).isPresent()) {
            return; // a pull embeds nothing: the index keeps the encoder it records, whatever this run's is
        }
        String remoteEncoder = c.manifest().map(Manifest::encoder).orElse(null);
        int remoteDimension = c.manifest().map(Manifest::dimension).orElse(c.remoteDimension());
        int ours = encoder.dimension();
        boolean nameDiffers = remoteEncoder != null && !remoteEncoder.equals(encoder.name());
        boolean dimensionDiffers = remoteDimension > 0 && ours > 0 && remoteDimension != ours;
        if (nameDiffers || dimensionDiffers) {
            throw new SrouterException(ExitCode.FAILURE, "the index holds vectors of " + (remoteEncoder == null ? "an unknown encoder" : remoteEncoder)
                    + " (dimension " + remoteDimension + "), this run uses " + encoder.name() + " (dimension " + (ours < 0 ? "unknown" : ours)
                    + "); nothing was written. Use --encoder " + (remoteEncoder == null ? "NAME" : remoteEncoder)
                    + " to match it, or --reembed to rebuild every vector with " + encoder.name());
        }
    }

    /**
     * Refuses, before any write, a target the index cannot hold whole: route names it cannot keep apart, and two
     * records that would get one id in the backend (the Qdrant layout's {@code uuid5("{route}:{utterance}")} makes
     * route {@code faq} with {@code shipping:how long} and route {@code faq:shipping} with {@code how long} one point,
     * so one would silently overwrite the other).
     */
    void checkTarget(RouteSet target) {
        index.checkRouteNames(target.routeNames());
        Map<String, RecordKey> seen = new HashMap<>();
        for (Route r : target.routes()) {
            for (String u : r.utterances()) {
                RecordKey key = new RecordKey(r.name(), u);
                String id = index.recordId(key);
                if (id == null) {
                    continue;
                }
                RecordKey other = seen.putIfAbsent(id, key);
                if (other != null && !other.equals(key)) {
                    throw SrouterException.failure("route '" + other.route() + "' utterance '" + other.utterance() + "' and route '"
                            + key.route() + "' utterance '" + key.utterance() + "' get one record id (" + id + ") in "
                            + index.describeLocation() + ", so one would overwrite the other; nothing was written: change one of them");
                }
            }
        }
    }

    /** What an apply did, for the report and the tests. */
    public record Applied(int deleted, int upserted, int payloadRewritten, int embedded, int writeCalls) {}

    /**
     * Applies the remote half of {@code plan}, checking the lease before every write.
     *
     * @param reembed rewrite every record of the target with fresh vectors, not only new ones
     */
    public Applied applyRemote(SyncPlan plan, LeaseLock.Held lease, boolean reembed) {
        RouteSet target = plan.target().orElseThrow(() -> new IllegalStateException("the error strategy has nothing to apply"));
        checkTarget(target);
        Map<String, Route> routes = new HashMap<>();
        target.routes().forEach(r -> routes.put(r.name(), r));
        int writes = 0;

        List<RecordKey> deletes = plan.remoteDeletes().stream().map(u -> new RecordKey(u.route(), u.text())).toList();
        try (Progress.Task task = deletes.size() > batchSize ? bars.start("deleting", deletes.size()) : Progress.Task.NONE) {
            for (List<RecordKey> batch : batches(deletes)) {
                lease.ensureHeld();
                index.delete(batch);
                writes++;
                task.advance(batch.size());
            }
        }

        List<Utterance> toEmbed = reembed ? target.utterances() : plan.remoteUpserts();
        int embedded = 0;
        Progress.Task embedding = toEmbed.isEmpty() ? Progress.Task.NONE : bars.start("embedding and writing", toEmbed.size());
        for (List<Utterance> batch : batches(toEmbed)) {
            List<float[]> vectors = encoder.encode(batch.stream().map(Utterance::text).toList(), Encoder.Input.DOCUMENT);
            embedded += batch.size();
            List<VectorRecord> records = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                Route r = routes.get(batch.get(i).route());
                records.add(new VectorRecord(r.name(), batch.get(i).text(), vectors.get(i), r.metadata(), r.functionSchemas()));
            }
            lease.ensureHeld();
            index.upsert(records);
            writes++;
            progress.accept("upserted " + embedded + " of " + toEmbed.size() + " records");
            embedding.advance(batch.size());
        }
        embedding.close();

        List<StoredRecord> rewrites = new ArrayList<>();
        if (!reembed) {
            java.util.Set<Utterance> fresh = new java.util.HashSet<>(plan.remoteUpserts());
            for (String name : plan.remotePayloadUpdates()) {
                Route r = routes.get(name);
                for (String u : r.utterances()) {
                    if (!fresh.contains(new Utterance(name, u))) {
                        rewrites.add(new StoredRecord(name, u, r.metadata(), r.functionSchemas()));
                    }
                }
            }
        }
        for (List<StoredRecord> batch : batches(rewrites)) {
            lease.ensureHeld();
            index.updatePayload(batch);
            writes++;
        }

        index.awaitWritesVisible();
        lease.ensureHeld();
        if (embedded == 0) {
            // Nothing embedded: the records keep the vectors of the encoder the index records, whatever this run's is.
            Optional<Manifest> before = RemoteReader.manifest(index);
            if (before.isPresent() && before.get().encoder() != null) {
                writeManifest(target, before.get().encoder(), before.get().dimension());
            } else {
                writeManifest(target);
            }
        } else {
            writeManifest(target);
        }
        index.awaitWritesVisible();
        writes += 2;
        return new Applied(deletes.size(), toEmbed.size(), rewrites.size(), embedded, writes);
    }

    /** The manifest and the hash: last, so that their presence means every record before them was written. */
    public void writeManifest(RouteSet target) {
        writeManifest(target, encoder.name(), encoder.dimension());
    }

    private void writeManifest(RouteSet target, String encoderName, int dimension) {
        Manifest m = Manifest.of(target, encoderName, dimension, writtenBy, clock.instant().toString());
        index.writeConfig(Manifest.FIELD, m.toJson());
        index.writeConfig("sr_hash", m.contentHash());
    }

    private <T> List<List<T>> batches(List<T> items) {
        return Batches.of(items, batchSize);
    }
}
