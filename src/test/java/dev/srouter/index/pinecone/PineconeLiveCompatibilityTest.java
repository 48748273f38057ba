package dev.srouter.index.pinecone;

import static dev.srouter.index.RemoteIndexTesting.unit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import dev.srouter.engine.RemoteReader;
import dev.srouter.index.VectorIndex.VectorRecord;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pinecone.clients.Index;
import io.pinecone.clients.Pinecone;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * What the Pinecone stand-in assumes about the service (docs/pinecone.md, "Compatibility"), checked against real
 * Pinecone (or Pinecone Local with {@code PINECONE_HOST}): runs only when {@code PINECONE_API_KEY} is set. One
 * serverless index, {@code srouter-live-compat-*}, deleted at the end. Pod indexes, 403 quotas, used-up monthly units
 * and InitializationFailed cannot be brought about on purpose, so only the stand-in shows srouter's answer to them.
 */
@EnabledIfEnvironmentVariable(named = "PINECONE_API_KEY", matches = ".+")
class PineconeLiveCompatibilityTest {
    private static final String INDEX = "srouter-live-compat-" + UUID.randomUUID().toString().substring(0, 8);
    private static final int DIM = 4;
    private static PineconeIndex index;
    private static Index raw;

    @BeforeAll
    static void createIndex() {
        index = PineconeLiveSupport.open(INDEX, "compat");
        index.create(DIM);
        Pinecone.Builder b = new Pinecone.Builder(PineconeLiveSupport.apiKey());
        if (PineconeLiveSupport.host() != null && !PineconeLiveSupport.host().isBlank()) {
            b.withHost(PineconeLiveSupport.host()).withTlsEnabled(false);
        }
        raw = b.build().getIndexConnection(INDEX);
    }

    @AfterAll
    static void dropIndex() {
        if (raw != null) {
            raw.close();
        }
        if (index != null) {
            index.close();
        }
        PineconeLiveSupport.deleteIndex(INDEX);
    }

    private static List<Float> vec() {
        return List.of(1f, 0f, 0f, 0f);
    }

    private static Status.Code code(Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        return e.getStatus().getCode();
    }

    @Test
    void theServiceRefusesIdsAsTheIdentifierLimitsSay() {
        raw.upsert("i".repeat(512), vec(), "raw");
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> raw.upsert("i".repeat(513), vec(), "raw")), "over 512 characters");
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> raw.upsert("café#1", vec(), "raw")), "not ASCII");
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> raw.fetch(List.of("with space"), "raw")), "fetch of an id with a space");
    }

    @Test
    void routeNamesThatCannotBeIdsAreRefusedBeforeAnyWrite() {
        SrouterException e = assertThrows(SrouterException.class,
                () -> index.upsert(List.of(new VectorRecord("café", "u", unit(DIM, 1), Map.of(), List.of()))));
        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().contains("route 'café' cannot be stored in Pinecone"), e.getMessage());
    }

    @Test
    void readsListAndFetchWhateverListLimitTheServiceTakesAndAreFreshAfterTheWait() {
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            records.add(new VectorRecord("r" + (i % 3), "utterance " + i, unit(DIM, i), Map.of(), List.of()));
        }
        PineconeIndex writer = PineconeLiveSupport.open(INDEX, "reads");
        writer.upsert(records);
        writer.awaitWritesVisible(); // Fetch and List both show the writes from here on
        assertEquals(1200, RemoteReader.read(PineconeLiveSupport.open(INDEX, "reads")).records());
        writer.close();
    }

    @Test
    void aLongNonAsciiConfigValueIsWrittenInPartsTheServiceTakes() {
        String text = "é".repeat(60_000) + "🚚".repeat(10_000);
        index.writeConfig("srouter_manifest", text);
        index.awaitWritesVisible();
        assertEquals(text, PineconeLiveSupport.open(INDEX, "compat").readConfig("srouter_manifest").orElseThrow().value());
    }

    @Test
    void aWrongKeyIsStillTheBadKeyMessage() {
        org.junit.jupiter.api.Assumptions.assumeTrue(PineconeLiveSupport.host() == null, "Pinecone Local accepts any key");
        SrouterException e = assertThrows(SrouterException.class,
                () -> PineconeIndex.connect("pcsk_not-a-real-key", PineconeLiveSupport.host(), INDEX, null, java.time.Clock.systemUTC(),
                        PineconeIndex.Settings.defaults()).describe());
        assertEquals(ExitCode.UNREACHABLE, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().startsWith("Pinecone rejected the API key"), e.getMessage());
    }
}
