package dev.herd.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WrkTest {
    /** wrk 4.1's output against Node's http-hello, keep-alive. */
    static final String CLEAN = """
            Running 3s test @ http://127.0.0.1:18080/
              1 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     3.35ms   13.86ms 224.63ms   97.38%
                Req/Sec    48.80k    18.97k   79.49k    70.00%
              Latency Distribution
                 50%    1.25ms
                 75%    1.56ms
                 90%    2.23ms
                 99%   81.27ms
              145182 requests in 3.00s, 18.69MB read
            Requests/sec:  48372.91
            Transfer/sec:      6.23MB
            """;

    /** The same shape with errors, other latency units and the optional lines. */
    static final String WITH_ERRORS = """
            Running 3s test @ http://127.0.0.1:18080/
              1 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   812.00us    1.20ms   1.50s    97.38%
                Req/Sec     7.39k     2.81k   16.33k    90.00%
              Latency Distribution
                 50%  812.00us
                 75%    1.56ms
                 90%    2.23ms
                 99%    1.50s
              22082 requests in 3.01s, 2.25MB read
              Socket errors: connect 1, read 30, write 2, timeout 3
              Non-2xx or 3xx responses: 5
            Requests/sec:   7341.34
            Transfer/sec:    767.11KB
            """;

    @Test
    void serverCpuTimeIsReadFromTheProcessAndGrowsWithWork() {
        long before = Wrk.cpuNanos(ProcessHandle.current());
        long x = 0;
        for (long i = 0; i < 200_000_000L; i++) x += i ^ (x >>> 3); // burn some CPU
        long after = Wrk.cpuNanos(ProcessHandle.current());
        assertThat(x).isNotZero();
        assertThat(before).isPositive();
        assertThat(after).isGreaterThan(before);
    }

    @Test
    void parsesACleanRun() {
        Wrk.Report r = Wrk.parse(CLEAN);
        assertThat(r.requests()).isEqualTo(145182);
        assertThat(r.requestsPerSecond()).isEqualTo(48372.91);
        assertThat(r.p50Ms()).isEqualTo(1.25);
        assertThat(r.p99Ms()).isEqualTo(81.27);
        assertThat(r.connectErrors() + r.readErrors() + r.writeErrors() + r.timeouts() + r.non2xx3xx()).isZero();
    }

    @Test
    void parsesErrorsAndUnits() {
        Wrk.Report r = Wrk.parse(WITH_ERRORS);
        assertThat(r.p50Ms()).isCloseTo(0.812, within(1e-9));
        assertThat(r.p99Ms()).isEqualTo(1500);
        assertThat(r.connectErrors()).isEqualTo(1);
        assertThat(r.readErrors()).isEqualTo(30);
        assertThat(r.writeErrors()).isEqualTo(2);
        assertThat(r.timeouts()).isEqualTo(3);
        assertThat(r.non2xx3xx()).isEqualTo(5);
    }

    @Test
    void rejectsOutputThatIsNotWrks() {
        assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Wrk.parse(CLEAN.replace("99%", "98%"))).hasMessageContaining("99%");
    }

    @Test
    void keepAliveToleratesNoErrors() {
        Wrk keepAlive = new Wrk(false, "hello world\n");
        Load.Result clean = new Load.Result();
        keepAlive.checkReport(Wrk.parse(CLEAN), clean, "");
        assertThat(clean.failures()).isEmpty();

        Load.Result oneRead = new Load.Result();
        keepAlive.checkReport(new Wrk.Report(1000, 1, 1, 1, 0, 1, 0, 0, 0), oneRead, "warm-up ");
        assertThat(oneRead.failures()).singleElement().asString()
                .startsWith("CHECK warm-up socket_errors failed: connect 0, read 1,");

        Load.Result bad = new Load.Result();
        keepAlive.checkReport(Wrk.parse(WITH_ERRORS), bad, "");
        assertThat(bad.failures()).hasSize(2).anyMatch(f -> f.contains("5 of 22082 responses had a status of 400 or more"));
    }

    @Test
    void connectionCloseToleratesAFewReadErrorsOnly() {
        Wrk close = new Wrk(true, "hello world\n");
        long tolerated = (long) (100_000 * Wrk.CLOSE_READ_ERROR_SHARE);
        Load.Result few = new Load.Result();
        close.checkReport(new Wrk.Report(100_000, 1, 1, 1, 0, tolerated, 0, 0, 0), few, "");
        assertThat(few.failures()).isEmpty();
        Load.Result many = new Load.Result();
        close.checkReport(new Wrk.Report(100_000, 1, 1, 1, 0, tolerated + 1, 0, 0, 0), many, "");
        assertThat(many.failures()).singleElement().asString().contains("at most " + tolerated + " tolerated");
        Load.Result write = new Load.Result();
        close.checkReport(new Wrk.Report(100_000, 1, 1, 1, 0, 0, 1, 0, 0), write, "");
        assertThat(write.failures()).hasSize(1);
    }
}
