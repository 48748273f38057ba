package dev.srouter.bench;

import dev.srouter.core.Diff;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.SyncPlan;
import dev.srouter.core.SyncPlanner;
import dev.srouter.core.SyncStrategy;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times {@link Diff#between} and {@link SyncPlanner#plan} on a large pair: 200,000 local and 200,000 remote
 * utterances (1,000 routes of 200), 10% of each side's utterances only on that side, and different metadata on every
 * tenth route. Prints the first (cold JVM) run, which is what one {@code srouter sync} pays, and the median of warm
 * runs. The cold figures include hashing every string for the first time, as a real run does; run it with the
 * launcher's collector ({@code -XX:+UseSerialGC}) for the figure a user sees.
 *
 * <pre>
 * mvn -q test-compile
 * java -XX:+UseSerialGC -cp target/classes:target/test-classes dev.srouter.bench.DiffBench [ROUTES] [PER_ROUTE]
 * </pre>
 */
public final class DiffBench {
    private DiffBench() {}

    public static void main(String[] args) {
        int routes = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int perRoute = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int oneSided = perRoute / 10;
        List<Route> local = new ArrayList<>(routes);
        List<Route> remote = new ArrayList<>(routes);
        for (int r = 0; r < routes; r++) {
            String name = "route-" + r;
            List<String> l = new ArrayList<>(perRoute);
            List<String> rr = new ArrayList<>(perRoute);
            for (int u = 0; u < perRoute - oneSided; u++) {
                String text = "utterance number " + u + " of " + name + " with some words to hash";
                l.add(text);
                rr.add(text);
            }
            for (int u = 0; u < oneSided; u++) {
                l.add("local only " + u + " of " + name);
                rr.add("remote only " + u + " of " + name);
            }
            local.add(new Route(name, l, null, null, Map.of("team", "a"), List.of()));
            remote.add(new Route(name, rr, null, null, Map.of("team", r % 10 == 0 ? "b" : "a"), List.of()));
        }
        RouteSet l = RouteSet.of(local);
        RouteSet r = RouteSet.of(remote);
        System.out.printf(Locale.ROOT, "shape: %d local / %d remote utterances in %d routes, %d only-local and %d only-remote%n",
                l.utteranceCount(), r.utteranceCount(), routes, routes * oneSided, routes * oneSided);
        System.out.printf(Locale.ROOT, "cpus: %d, max heap: %d MB%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Diff diff = Diff.between(l, r);
        long t1 = System.nanoTime();
        long c1 = threads.getCurrentThreadCpuTime();
        SyncPlan plan = SyncPlanner.plan(l, r, SyncStrategy.MERGE);
        long t2 = System.nanoTime();
        long c2 = threads.getCurrentThreadCpuTime();
        System.out.printf(Locale.ROOT, "cold: diff %.0f ms (cpu %.0f), plan(merge) %.0f ms (cpu %.0f), diff + plan %.0f ms%n",
                ms(t1 - t0), ms(c1 - c0), ms(t2 - t1), ms(c2 - c1), ms(t2 - t0));
        System.out.printf(Locale.ROOT, "      %d/%d one-sided; %s%n", diff.localOnlyCount(), diff.remoteOnlyCount(),
                plan.summary());

        int runs = 15;
        long[] diffs = new long[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            Diff.between(l, r);
            diffs[i] = System.nanoTime() - s;
        }
        System.out.printf(Locale.ROOT, "warm: diff median %.0f ms%n", ms(median(diffs)));
        for (SyncStrategy strategy : SyncStrategy.values()) {
            long[] plans = new long[runs];
            SyncPlan p = null;
            for (int i = 0; i < runs; i++) {
                long s = System.nanoTime();
                p = SyncPlanner.plan(l, r, strategy);
                plans[i] = System.nanoTime() - s;
            }
            System.out.printf(Locale.ROOT, "warm: plan(%s) median %.0f ms  %s%n", strategy.cliName(), ms(median(plans)),
                    p.summary());
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static long median(long[] xs) {
        long[] copy = xs.clone();
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }
}
