package dev.herd.node.internal.cluster;

import static dev.herd.node.Globals.setTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herd.node.Herd;
import dev.herd.node.child_process.ChildLeakCheck;
import dev.herd.node.cluster.Cluster;
import dev.herd.node.cluster.ClusterSettings;
import dev.herd.node.cluster.ClusterWorkerMain;
import dev.herd.node.cluster.ListeningAddress;
import dev.herd.node.cluster.Worker;
import dev.herd.node.internal.Environment;
import dev.herd.node.net.Net;
import dev.herd.node.net.Socket;
import dev.herd.os.FdLeakCheck;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ClusterPrimary} as an object: the process manager's cluster primary per managed app, and
 * the default primary behind {@link Cluster}. Workers are JVMs running the cluster tests'
 * {@link ClusterWorkerMain}.
 */
@ExtendWith({FdLeakCheck.class, ChildLeakCheck.class})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterPrimaryTest {
    private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"));

    private static ClusterSettings workers(String... args) {
        return ClusterSettings.builder().exec(ClusterWorkerMain.class.getName()).args(args).execArgv(JVM).build();
    }

    /** Runs {@code main} in a Herd environment; a guard kills every worker still alive after 40 s. */
    private static void run(List<ClusterPrimary> primaries, Herd.Main main) {
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        int code = Herd.call(new String[0], args -> {
            main.main(args);
            setTimeout(() -> {
                for (ClusterPrimary p : primaries) {
                    problems.add("timed out with workers " + p.workers().keySet());
                    for (Worker w : p.workers().values()) w.process().kill("SIGKILL");
                }
            }, 40_000).unref();
        });
        assertThat(problems).isEmpty();
        assertThat(code).as("exit code").isZero();
    }

    private static void fetch(int port, Consumer<String> done) {
        Socket s = Net.createConnection(port, "127.0.0.1", null);
        StringBuilder b = new StringBuilder();
        s.setEncoding("utf8");
        s.on("data", a -> b.append(a[0]));
        s.on("error", a -> { });
        s.on("close", a -> done.accept(b.toString().trim()));
    }

    @Test
    void twoPrimariesInOneProcessEachHaveTheirOwnWorkersServersAndEvents() {
        List<ClusterPrimary> primaries = new ArrayList<>();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        run(primaries, a -> {
            ClusterPrimary one = new ClusterPrimary();
            ClusterPrimary two = new ClusterPrimary();
            primaries.addAll(List.of(one, two));
            one.setupPrimary(workers("net"));
            two.setupPrimary(workers("net"));
            int[] ports = new int[2];
            int[] answered = {0};
            for (int i = 0; i < 2; i++) {
                ClusterPrimary p = primaries.get(i);
                String name = i == 0 ? "one" : "two";
                int index = i;
                p.events().on("listening", x -> {
                    events.add(name + " listening " + ((Worker) x[0]).id());
                    ports[index] = ((ListeningAddress) x[1]).port();
                    if (ports[0] == 0 || ports[1] == 0) return;
                    // Both listen, on their own round-robin sockets: each answers through its worker.
                    assertThat(ports[0]).isNotEqualTo(ports[1]);
                    for (int port : ports) {
                        fetch(port, reply -> {
                            events.add("answer " + reply);
                            if (++answered[0] == 2) one.disconnect(() -> {
                                events.add("one disconnected; two's worker connected: " + two.workers().get(1).isConnected());
                                two.disconnect(() -> events.add("two disconnected"));
                            });
                        });
                    }
                });
                p.events().on("exit", x -> events.add(name + " exit " + ((Worker) x[0]).id()));
            }
            Worker first = one.fork(null);
            Worker second = two.fork(null);
            assertThat(first.id()).isEqualTo(1);
            assertThat(second.id()).isEqualTo(1);
            assertThat(one.workers()).containsExactly(Map.entry(1, first));
            assertThat(two.workers()).containsExactly(Map.entry(1, second));
            // Neither is the process's cluster module, whose default primary has no worker.
            assertThat(Cluster.isPrimary()).isTrue();
            assertThat(Cluster.workers()).isEmpty();
        });
        // Each primary hears of its own worker alone; disconnecting one leaves the other's running.
        assertThat(events).containsExactlyInAnyOrder("one listening 1", "two listening 1", "answer 1", "answer 1",
                "one disconnected; two's worker connected: true", "one exit 1", "two disconnected", "two exit 1");
        assertThat(events).containsSubsequence("answer 1", "answer 1", "one disconnected; two's worker connected: true",
                "two disconnected");
    }

    @Test
    void theClusterModuleIsTheEnvironmentsDefaultPrimaryMadeOnFirstUse() {
        List<Object> seen = new ArrayList<>();
        run(List.of(), a -> {
            Environment env = Environment.current();
            seen.add(env.service(ClusterSide.class));
            ClusterPrimary mine = new ClusterPrimary();
            seen.add(env.service(ClusterSide.class)); // a primary of one's own is not the default
            Cluster.setupPrimary();
            ClusterSide side = env.service(ClusterSide.class);
            seen.add(side instanceof ClusterPrimary && side != mine);
            seen.add(ClusterSide.of(env) == side);
        });
        assertThat(seen).containsExactly(null, null, true, true);
    }

    @Test
    void theSchedulingPolicyFreezesAtTheFirstSetup() {
        run(List.of(), a -> {
            ClusterPrimary p = new ClusterPrimary();
            p.schedulingPolicy(Cluster.SCHED_NONE);
            p.setupPrimary(null);
            p.schedulingPolicy(Cluster.SCHED_RR);
            assertThat(p.schedulingPolicy()).isEqualTo(Cluster.SCHED_RR); // the property changes...
            assertThat(p.schedulingPolicy).isEqualTo(Cluster.SCHED_NONE); // ...the policy does not
        });
    }

    @Test
    void theSchedulingPolicyComesFromTheEnvironment() {
        assertThat(ClusterPrimary.policyFromEnvironment(Map.of())).isEqualTo(Cluster.SCHED_RR);
        assertThat(ClusterPrimary.policyFromEnvironment(Map.of("NODE_CLUSTER_SCHED_POLICY", "none"))).isEqualTo(Cluster.SCHED_NONE);
        assertThat(ClusterPrimary.policyFromEnvironment(Map.of("NODE_CLUSTER_SCHED_POLICY", "bogus"))).isEqualTo(Cluster.SCHED_RR);
        assertThat(ClusterPrimary.policyFromEnvironment(Map.of("HERD_CLUSTER_SCHED_POLICY", "reuseport",
                "NODE_CLUSTER_SCHED_POLICY", "none"))).isEqualTo(Cluster.SCHED_REUSEPORT);
    }

    @Test
    void messageKeysAreBuiltAsJavaScriptWouldPrintTheFields() {
        assertThat(Utils.jsString(null)).isEqualTo("null");
        assertThat(Utils.jsString(dev.herd.node.value.Undefined.INSTANCE)).isEqualTo("undefined");
        assertThat(Utils.jsString(8000)).isEqualTo("8000");
        assertThat(Utils.jsString(8000.0)).isEqualTo("8000");
        assertThat(Utils.jsString("udp4")).isEqualTo("udp4");
        assertThat(Utils.seqOf(3.0)).isEqualTo(3L);
        assertThat(Utils.seqOf(3.5)).isNull();
        assertThat(Utils.seqOf("3")).isNull();
    }
}
