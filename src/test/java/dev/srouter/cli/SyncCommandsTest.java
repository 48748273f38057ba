package dev.srouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.cli.CliRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** diff, sync, push, pull, status, unlock and route --index against a file: index, run in-process. */
class SyncCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path cache;

    @TempDir
    Path dir;

    private Path routes;
    private String index;

    @BeforeEach
    void setUp() throws Exception {
        routes = dir.resolve("routes.yaml");
        Files.copy(Path.of("routes-example.yaml"), routes);
        index = "file:" + dir.resolve("idx");
    }

    private Result run(String... args) {
        String[] all = new String[args.length + 3];
        System.arraycopy(args, 0, all, 0, 1);
        all[1] = "--routes=" + routes;
        all[2] = "--index";
        all[3] = index;
        System.arraycopy(args, 1, all, 4, args.length - 1);
        return new CliRunner(cache).run(all);
    }

    @Test
    void pushThenDiffIsInSyncAndAnEditShowsUp() throws Exception {
        Result before = run("diff");
        assertEquals(2, before.exit(), before.toString());
        assertTrue(before.out().contains("remote: +36 -0") && before.out().contains("(strategy merge)"), before.toString());

        Result refused = run("push");
        assertEquals(64, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("--yes"), refused.toString());
        assertFalse(Files.exists(dir.resolve("idx")), "nothing written, not even the index, without confirmation");

        Result push = run("push", "--yes");
        assertEquals(0, push.exit(), push.toString());
        assertTrue(push.out().contains("36 upserted"), push.toString());

        Result same = run("diff");
        assertEquals(0, same.exit(), same.toString());
        assertTrue(same.out().contains("content hash matches"), same.toString());

        Files.writeString(routes, Files.readString(routes).replace("      - hello there\n", "      - hello there\n      - howdy partner\n"));
        Result changed = run("diff", "-o", "json");
        assertEquals(2, changed.exit(), changed.toString());
        JsonNode d = JSON.readTree(changed.out());
        assertEquals(1, d.at("/counts/remote/upsert").asInt());
        assertEquals("greetings", d.at("/routes/0/route").asText());
        assertEquals("howdy partner", d.at("/routes/0/entries/0/utterance").asText());
        assertEquals("add_to_remote", d.at("/routes/0/entries/0/action").asText());

        assertEquals(2, run("sync", "--strategy", "error").exit());
        Result dry = run("sync", "--strategy", "merge", "--dry-run");
        assertEquals(2, dry.exit(), dry.toString());
        assertEquals(2, run("diff").exit(), "a dry run writes nothing");
        assertEquals(0, run("sync", "--strategy", "merge", "--yes").exit());
        assertEquals(0, run("sync", "--strategy", "error").exit());
        Result again = run("sync", "--strategy", "merge", "--yes");
        assertTrue(again.err().contains("nothing to do"), again.toString());
    }

    @Test
    void pullCreatesAMissingRoutesFileAndStatusReportsTheIndex() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        Path fresh = dir.resolve("new.yaml");
        Result pull = new CliRunner(cache).run("pull", "-r", fresh.toString(), "--index", index, "--yes");
        assertEquals(0, pull.exit(), pull.toString());
        assertTrue(Files.exists(fresh));
        Result diff = new CliRunner(cache).run("diff", "-r", fresh.toString(), "--index", index);
        assertEquals(0, diff.exit(), "the pulled file equals the remote: " + diff);

        Result status = run("status", "-o", "json");
        assertEquals(0, status.exit(), status.toString());
        JsonNode s = JSON.readTree(status.out());
        assertEquals(36, s.get("records").asInt());
        assertEquals(384, s.get("dimension").asInt());
        assertEquals("local:all-MiniLM-L6-v2-q", s.get("encoder").asText());
        assertEquals("free", s.get("lock").asText());
        assertEquals("in sync", s.get("sync").asText());
    }

    @Test
    void pushingAnEmptyRoutesFileEmptiesTheRemote() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        Files.writeString(routes, "routes: []\n");
        Result push = run("push", "--yes");
        assertEquals(0, push.exit(), push.toString());
        assertTrue(push.out().contains("36 deleted"), push.toString());
        assertEquals(0, run("diff").exit());
    }

    @Test
    void anotherEncoderStopsBeforeAnyWrite() {
        assertEquals(0, run("push", "--yes").exit());
        Result r = run("push", "--yes", "--encoder", "local:bge-small-en-v1.5");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("local:all-MiniLM-L6-v2-q") && r.err().contains("local:bge-small-en-v1.5-q"), r.toString());
    }

    @Test
    void reembedRebuildsEveryVectorWithTheNewEncoder() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        Result r = run("push", "--yes", "--reembed", "--encoder", "local:bge-small-en-v1.5");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("36 upserted (36 embedded)"), r.toString());
        Result status = run("status", "-o", "json");
        assertEquals("local:bge-small-en-v1.5-q", JSON.readTree(status.out()).get("encoder").asText(), status.toString());
        assertEquals(0, run("diff", "--encoder", "local:bge-small-en-v1.5").exit());
        Result plain = run("push", "--yes", "--encoder", "local:bge-small-en-v1.5");
        assertEquals(0, plain.exit(), "the new encoder is now the recorded one: " + plain);
    }

    @Test
    void routeAgainstTheIndexNeedsNoRoutesFile() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        Files.delete(routes);
        Result r = run("route", "isn't politics the best thing ever");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("politics "), r.toString());
    }

    @Test
    void unlockOnAFreeIndexAndCommandsThatNeedARemote() {
        assertEquals(0, run("push", "--yes").exit());
        Result unlock = run("unlock");
        assertEquals(0, unlock.exit(), unlock.toString());
        assertTrue(unlock.out().contains("not locked"), unlock.toString());
        Result noIndex = new CliRunner(cache).run("diff", "-r", routes.toString());
        assertEquals(64, noIndex.exit(), noIndex.toString());
        assertTrue(noIndex.err().contains("--index file:"), noIndex.toString());
        Result badStrategy = run("sync", "--strategy", "mrege");
        assertEquals(64, badStrategy.exit(), badStrategy.toString());
    }

    @Test
    void aHeldLeaseMakesASecondSyncWaitThenExit3NamingTheHolder() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        dev.srouter.index.file.FileIndex idx = new dev.srouter.index.file.FileIndex(dir.resolve("idx"));
        dev.srouter.engine.LeaseLock lock = new dev.srouter.engine.LeaseLock(idx, java.time.Clock.systemUTC(), java.time.Duration.ofSeconds(60),
                java.time.Duration.ZERO);
        Files.writeString(routes, Files.readString(routes).replace("      - hello there\n", "      - hello there\n      - howdy partner\n"));
        try (dev.srouter.engine.LeaseLock.Held held = lock.acquire("ci-job-41", java.time.Duration.ZERO)) {
            Result blocked = run("sync", "--strategy", "merge", "--yes", "--lock-timeout", "300ms");
            assertEquals(3, blocked.exit(), blocked.toString());
            assertTrue(blocked.err().contains("ci-job-41"), blocked.toString());
            Result status = run("status");
            assertTrue(status.out().contains("held by ci-job-41"), status.toString());
            Result refused = run("unlock");
            assertEquals(3, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("--force"), refused.toString());
            Result forced = run("unlock", "--force");
            assertEquals(0, forced.exit(), forced.toString());
            assertTrue(forced.out().contains("ci-job-41"), forced.toString());
        }
        assertEquals(0, run("sync", "--strategy", "merge", "--yes", "--lock-timeout", "0").exit());
    }

    @Test
    void pullIntoACommentedFileKeepsTheCommentsOfUnchangedRoutes() throws Exception {
        assertEquals(0, run("push", "--yes").exit());
        String original = Files.readString(routes);
        Files.writeString(routes, original.replace("      - howdy partner\n", "").replace("      - thanks, bye!\n", ""));
        Result pull = run("pull", "--yes");
        assertEquals(0, pull.exit(), pull.toString());
        String pulled = Files.readString(routes);
        assertTrue(pulled.contains("# Example routes for srouter"), "the header comment is kept:\n" + pulled);
        assertTrue(pulled.contains("      - thanks, bye!"), pulled);
        assertTrue(Files.exists(dir.resolve("routes.yaml.bak")));
        assertEquals(0, run("diff").exit());
    }
}
