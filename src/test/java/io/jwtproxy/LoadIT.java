package io.jwtproxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import io.jwtproxy.testing.BigBody;
import io.jwtproxy.testing.JavaProcess;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Load against the packaged jar in its own process (-Xmx128m, demo mode: its echo upstream shows
 * each token it received): many small requests over keep-alive, and several huge streams at once.
 * Bounded in count and time; loopback only.
 */
class LoadIT
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JavaProcess startProxy() throws IOException
    {
        // The access log would be 100 000 lines on the test's pipe; the load is what is measured here.
        return JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "JWT_SECRET", Tokens.SEED_SECRET),
            List.of("-Xmx128m", "-Dio.jwtproxy.access.LEVEL=WARN"));
    }

    @Test
    void hundredThousandRequestsOn256KeepAliveConnections() throws Exception
    {
        int connections = 256;
        int total = 100_000;
        try (JavaProcess proxy = startProxy())
        {
            int port = proxy.awaitListening();
            // Warm up at the same concurrency, so buffer pools and JIT reach their plateau first;
            // the heap after a full GC is then the baseline that must stay flat.
            int warmUp = 20_000;
            assertThat(runLoad(port, connections, warmUp, ConcurrentHashMap.newKeySet())).isZero();
            long heapBefore = heapUsedAfterGcKiB(proxy.pid());

            Set<String> ids = ConcurrentHashMap.newKeySet();
            long start = System.nanoTime();
            int errors = runLoad(port, connections, total, ids);
            double seconds = (System.nanoTime() - start) / 1e9;
            long heapAfter = heapUsedAfterGcKiB(proxy.pid());

            assertThat(errors).as("failed requests").isZero();
            assertThat(ids).as("unique, valid tokens").hasSize(total);
            String status;
            try (RawHttp http = new RawHttp(port))
            {
                http.send("GET /status HTTP/1.1\r\nHost: x\r\n\r\n");
                status = http.readResponse(false).text();
            }
            assertThat(JSON.readTree(status).get("requestsReceived").asLong()).isEqualTo(warmUp + total);
            assertThat(heapAfter - heapBefore).as("heap growth after GC, KiB").isLessThan(16 * 1024);
            System.out.printf("LoadIT: %,d requests on %d connections in %.1f s (%.0f req/s); heap after GC %,d KiB -> %,d KiB; peak RSS %,d KiB%n",
                total, connections, seconds, total / seconds, heapBefore, heapAfter, proxy.peakRssKiB());
        }
    }

    /** @return how many requests failed; every token seen is verified and its jti added to {@code ids} */
    private static int runLoad(int port, int connections, int total, Set<String> ids) throws Exception
    {
        AtomicInteger errors = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try
        {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < connections; c++)
            {
                int share = total / connections + (c < total % connections ? 1 : 0);
                int connection = c;
                done.add(pool.submit(() ->
                {
                    try (RawHttp http = new RawHttp(port))
                    {
                        for (int i = 0; i < share; i++)
                        {
                            http.send("GET /load/" + connection + "/" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
                            RawHttp.Response response = http.readResponse(false);
                            String token = response.header("x-my-jwt");
                            if (response.status() != 200 || token == null || !Tokens.verifies(token, Tokens.SEED_SECRET)
                                || !ids.add(Tokens.claims(token).get("jti").asText()))
                                errors.incrementAndGet();
                        }
                    }
                    catch (Exception x)
                    {
                        errors.addAndGet(1_000_000);
                        throw new IllegalStateException(x);
                    }
                    return null;
                }));
            }
            for (Future<?> each : done)
                each.get(10, TimeUnit.MINUTES);
        }
        finally
        {
            pool.shutdownNow();
        }
        return errors.get();
    }

    private static long heapUsedAfterGcKiB(long pid) throws Exception
    {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        run(jcmd, Long.toString(pid), "GC.run");
        String info = run(jcmd, Long.toString(pid), "GC.heap_info");
        // Each heap space reports "total …K, used …K" (Metaspace's line has no total).
        long used = 0;
        Matcher matcher = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
        while (matcher.find())
            used += Long.parseLong(matcher.group(1));
        assertThat(used).as("heap use parsed from:%n%s", info).isPositive();
        return used;
    }

    private static String run(String... command) throws Exception
    {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return output;
    }

    @Test
    void eightHalfGibibyteStreamsAtOnceThroughA128MiBHeap() throws Exception
    {
        int streams = 8;
        long length = 512L << 20;
        try (JavaProcess proxy = startProxy())
        {
            int port = proxy.awaitListening();
            long start = System.nanoTime();
            List<CompletableFuture<String>> results = new ArrayList<>();
            for (int s = 0; s < streams; s++)
            {
                int stream = s;
                results.add(CompletableFuture.supplyAsync(() -> echo(port, "/stream/" + stream, length), Executors.newCachedThreadPool()));
            }
            for (CompletableFuture<String> result : results)
                assertThat(result.get(10, TimeUnit.MINUTES)).as("a stream's first difference").isNull();
            double seconds = (System.nanoTime() - start) / 1e9;

            assertThat(proxy.isAlive()).isTrue();
            assertThat(proxy.output()).doesNotContain("OutOfMemoryError");
            System.out.printf("LoadIT: %d x %,d bytes echoed at once in %.1f s (%.0f MB/s each way in all), peak RSS %,d KiB%n",
                streams, length, seconds, streams * length / seconds / 1e6, proxy.peakRssKiB());
        }
    }

    /** @return null when the echoed body is byte-exact, else what differed */
    private static String echo(int port, String path, long length)
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n");
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() ->
            {
                try
                {
                    BigBody.write(http.output(), length);
                }
                catch (IOException x)
                {
                    throw new IllegalStateException(x);
                }
            }, Executors.newSingleThreadExecutor());
            RawHttp.Head head = http.readHead();
            if (head.status() != 200)
                return "status " + head.status();
            String difference = BigBody.check(http.input(), length);
            upload.get(5, TimeUnit.MINUTES);
            return difference;
        }
        catch (Exception x)
        {
            return x.toString();
        }
    }
}
