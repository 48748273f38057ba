package dev.srouter.bench;

import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.SyncPlan;
import dev.srouter.core.SyncPlanner;
import dev.srouter.core.SyncStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Diff + plan of 200,000 local against 200,000 remote utterances in memory, 10% of each only on
 * one side (the shape semantic-router's UtteranceDiff.from_utterances + get_sync_strategy take
 * 6.2 s on). Prints the best and median of 7 runs after warm-up.
 *
 * <pre>java -cp target/classes:target/test-classes:... dev.srouter.bench.DiffBench</pre>
 */
public final class DiffBench {
    private DiffBench() {}

    public static void main(String[] args) {
        int routes = 200;
        int perRoute = 1000;
        List<Route> local = new ArrayList<>();
        List<Route> remote = new ArrayList<>();
        for (int r = 0; r < routes; r++) {
            List<String> l = new ArrayList<>();
            List<String> m = new ArrayList<>();
            for (int i = 0; i < perRoute; i++) {
                String u = "route " + r + " utterance number " + i + " with some words";
                if (i % 10 == 0) {
                    l.add(u + " (local only)");
                    m.add(u + " (remote only)");
                } else {
                    l.add(u);
                    m.add(u);
                }
            }
            local.add(Route.of("route-" + r, l));
            remote.add(Route.of("route-" + r, m));
        }
        RouteSet l = RouteSet.of(local);
        RouteSet r = RouteSet.of(remote);
        long[] times = new long[7];
        SyncPlan plan = null;
        for (int round = -3; round < times.length; round++) {
            long t0 = System.nanoTime();
            plan = SyncPlanner.plan(l, r, SyncStrategy.MERGE);
            if (round >= 0) {
                times[round] = System.nanoTime() - t0;
            }
        }
        java.util.Arrays.sort(times);
        System.out.printf(Locale.ROOT, "diff + plan (merge) of %d vs %d utterances: best %.0f ms, median %.0f ms; %s%n", l.utteranceCount(),
                r.utteranceCount(), times[0] / 1e6, times[3] / 1e6, plan.summary());
    }
}
