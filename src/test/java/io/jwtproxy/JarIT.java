package io.jwtproxy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.jwtproxy.testing.BigBody;
import io.jwtproxy.testing.CannedUpstream;
import io.jwtproxy.testing.JavaProcess;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.SlowUpload;
import io.jwtproxy.testing.Tokens;
import io.jwtproxy.testing.UpstreamAnswers;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged executable jar, run as {@code java -jar} in its own process. */
class JarIT
{
    private static final Duration START = Duration.ofSeconds(30);
    // 2 GiB and a bit: past 2^31, where int lengths and counters overflow. -Djwtproxy.bigBody=5000000000 for the seed's ISO size.
    private static final long BIG_BODY = Long.getLong("jwtproxy.bigBody", (2L << 30) + 12_345);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void demoStreamsAMultiGigabyteBodyBothWaysThroughA128MiBHeap() throws Exception
    {
        try (JavaProcess proxy = JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0"), List.of("-Xmx128m")))
        {
            int port = proxy.awaitListening();
            assertThat(proxy.output()).contains("DEMO MODE: UPSTREAM_URL is not set").contains("DEMO MODE: JWT_SECRET is not set");

            AtomicLong uploadDone = new AtomicLong();
            long start = System.nanoTime();
            try (RawHttp http = new RawHttp(port))
            {
                http.send("POST /ubuntu.iso HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: " + BIG_BODY + "\r\n\r\n");
                CompletableFuture<Void> upload = CompletableFuture.runAsync(() ->
                {
                    try
                    {
                        BigBody.write(http.output(), BIG_BODY);
                        uploadDone.set(System.nanoTime());
                    }
                    catch (Exception x)
                    {
                        throw new IllegalStateException(x);
                    }
                });

                RawHttp.Head head = http.readHead();
                long firstResponse = System.nanoTime();
                assertThat(head.status()).isEqualTo(200);
                assertThat(head.first("content-length")).isEqualTo(Long.toString(BIG_BODY));
                assertThat(head.first("x-echo-body")).as("upstream got the client's Content-Length").isEqualTo("length=" + BIG_BODY);
                assertThat(head.first("x-my-jwt")).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");

                String difference = BigBody.check(http.input(), BIG_BODY);
                long end = System.nanoTime();
                upload.get(60, TimeUnit.SECONDS);

                assertThat(difference).as("echoed body byte-exact").isNull();
                assertThat(firstResponse).as("the answer started streaming back before the upload ended").isLessThan(uploadDone.get());
                double seconds = (end - start) / 1e9;
                System.out.printf("JarIT: %,d bytes echoed through -Xmx128m proxy in %.1f s (%.0f MB/s each way), proxy peak RSS %,d KiB%n",
                    BIG_BODY, seconds, BIG_BODY / seconds / 1e6, proxy.peakRssKiB());
            }
            assertThat(proxy.isAlive()).isTrue();
            assertThat(proxy.output()).doesNotContain("OutOfMemoryError");
            proxy.awaitLine("POST /ubuntu.iso 200 in=" + BIG_BODY + " out=" + BIG_BODY, Duration.ofSeconds(10));
        }
    }

    @Test
    void shadedJarKeepsEveryServiceEntryOfTheJarsItMerges() throws Exception
    {
        int checked = 0;
        try (java.util.zip.ZipFile shaded = new java.util.zip.ZipFile(JavaProcess.jarFile()))
        {
            for (String path : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            {
                if (!path.endsWith(".jar"))
                    continue;
                try (java.util.zip.ZipFile dependency = new java.util.zip.ZipFile(path))
                {
                    // Only the jars shaded in: a test-scope jar's classes are not in the executable jar.
                    String someClass = dependency.stream().map(java.util.zip.ZipEntry::getName)
                        .filter(n -> n.endsWith(".class") && !n.contains("module-info") && !n.startsWith("META-INF/")).findFirst().orElse(null);
                    if (someClass == null || shaded.getEntry(someClass) == null)
                        continue;
                    for (java.util.zip.ZipEntry service : dependency.stream()
                        .filter(e -> e.getName().startsWith("META-INF/services/") && !e.isDirectory()).toList())
                    {
                        java.util.zip.ZipEntry merged = shaded.getEntry(service.getName());
                        assertThat(merged).as("%s of %s", service.getName(), path).isNotNull();
                        String mergedText = new String(shaded.getInputStream(merged).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                        for (String line : new String(dependency.getInputStream(service).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n"))
                        {
                            String provider = line.replaceAll("#.*", "").trim();
                            if (!provider.isEmpty())
                            {
                                assertThat(mergedText).as("%s of %s", service.getName(), path).contains(provider);
                                checked++;
                            }
                        }
                    }
                }
            }
        }
        assertThat(checked).as("service entries checked").isGreaterThan(3);
    }

    @Test
    void sigtermDrainsAnInFlightStreamRefusesNewConnectionsAndExitsZero() throws Exception
    {
        try (JavaProcess proxy = JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "SHUTDOWN_DRAIN", "20s"), List.of("-Xmx128m")))
        {
            int port = proxy.awaitListening();
            // 4 MiB over about 2 s, most of it after SIGTERM.
            String difference = SlowUpload.across(port, "/slow", 4L << 20, 125, () ->
            {
                ProcessHandle.of(proxy.pid()).orElseThrow().destroy();
                proxy.awaitLine("SIGTERM: refusing new connections", Duration.ofSeconds(10));
                assertThat(refusesNewConnections(port)).as("new connections refused while draining").isTrue();
            });

            assertThat(difference).as("the in-flight stream completed byte-exact").isNull();
            assertThat(proxy.awaitExit(Duration.ofSeconds(25))).as("exit status after a requested stop").isZero();
        }
    }

    private static boolean refusesNewConnections(int port) throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline)
        {
            try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port))
            {
                probe.setSoTimeout(500);
                probe.getOutputStream().write("GET /status HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                if (probe.getInputStream().read() < 0)
                    return true;
            }
            catch (java.io.IOException x)
            {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Test
    void interimResponsesEndInTheFinalOneWithOneAccessLineAndLeakNoDescriptor() throws Exception
    {
        try (CannedUpstream upstream = UpstreamAnswers.upstream();
             JavaProcess proxy = JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "UPSTREAM_URL", upstream.url(),
                 "JWT_SECRET", Tokens.SEED_SECRET), List.of("-Xmx128m")))
        {
            int port = proxy.awaitListening();
            interim(port, "/103", 103);
            long before = openDescriptors(proxy);

            int exchanges = 50;
            for (int i = 0; i < exchanges; i++)
                interim(port, i % 2 == 0 ? "/103" : "/102", i % 2 == 0 ? 103 : 102);

            // Each client connection is closed by now; none may linger (CLOSE-WAIT) in the proxy.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            long after = openDescriptors(proxy);
            while (after > before + 2 && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
                after = openDescriptors(proxy);
            }
            assertThat(after).as("descriptors of the proxy before %d interim exchanges: %d", exchanges, before).isLessThanOrEqualTo(before + 2);
            System.out.printf("JarIT: proxy file descriptors %d before and %d after %d interim exchanges%n", before, after, exchanges);

            try (RawHttp http = new RawHttp(port))
            {
                http.send("GET /40k-head HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertThat(http.readResponse(false).status()).isEqualTo(502);
            }
            proxy.awaitLine("GET /40k-head 502 ", Duration.ofSeconds(10));
            long deadlineForLines = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (accessLines(proxy, "GET /10[23] 200 ") < exchanges + 1 && System.nanoTime() < deadlineForLines)
                Thread.sleep(50);
            assertThat(accessLines(proxy, "GET /10[23] ")).as("one access line per exchange").isEqualTo(exchanges + 1);
            assertThat(accessLines(proxy, "GET /10[23] 200 ")).isEqualTo(exchanges + 1);
        }
    }

    /** One exchange on its own connection: the interim response, then the final 200. */
    private static void interim(int port, String path, int status) throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertThat(http.readHead().status()).isEqualTo(status);
            RawHttp.Response response = http.readResponse(false);
            assertThat(response.status()).isEqualTo(200);
            assertThat(http.closedByServer()).isTrue();
        }
    }

    private static long openDescriptors(JavaProcess process) throws java.io.IOException
    {
        try (java.util.stream.Stream<java.nio.file.Path> fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc", Long.toString(process.pid()), "fd")))
        {
            return fds.count();
        }
    }

    private static long accessLines(JavaProcess process, String regex)
    {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("ij\\.access:[^:]+: " + regex);
        return process.output().lines().filter(l -> line.matcher(l).find()).count();
    }

    @Test
    void aThousandSimultaneousConnectsAreAcceptedWithoutWaitingOutASynRetransmit() throws Exception
    {
        try (JavaProcess proxy = JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0"), List.of("-Xmx128m")))
        {
            int port = proxy.awaitListening();
            int connections = 1_000;
            java.util.List<java.nio.channels.SocketChannel> channels = new java.util.ArrayList<>();
            try (java.nio.channels.Selector selector = java.nio.channels.Selector.open())
            {
                long[] started = new long[connections];
                java.net.InetSocketAddress address = new java.net.InetSocketAddress("127.0.0.1", port);
                for (int i = 0; i < connections; i++)
                {
                    java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open();
                    channels.add(channel);
                    channel.configureBlocking(false);
                    started[i] = System.nanoTime();
                    if (!channel.connect(address))
                        channel.register(selector, java.nio.channels.SelectionKey.OP_CONNECT, i);
                }
                int slow = 0;
                long slowest = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (!selector.keys().isEmpty() && System.nanoTime() < deadline)
                {
                    selector.select(100);
                    for (java.nio.channels.SelectionKey key : selector.selectedKeys())
                    {
                        ((java.nio.channels.SocketChannel)key.channel()).finishConnect();
                        long took = System.nanoTime() - started[(Integer)key.attachment()];
                        slowest = Math.max(slowest, took);
                        if (took > Duration.ofSeconds(1).toNanos())
                            slow++;
                        key.cancel();
                    }
                    selector.selectedKeys().clear();
                    selector.selectNow();
                }
                assertThat(selector.keys()).as("connects still pending after 15 s").isEmpty();
                System.out.printf("JarIT: %d simultaneous connects, slowest %.1f ms%n", connections, slowest / 1e6);
                assertThat(slow).as("connects that waited more than a second (a dropped SYN's retransmit)").isZero();
            }
            finally
            {
                for (java.nio.channels.SocketChannel channel : channels)
                    channel.close();
            }
            HttpResponse<String> status = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).as("still serving").isEqualTo(200);
        }
    }

    @Test
    void systemPropertiesWinOverTheEnvironment() throws Exception
    {
        try (JavaProcess proxy = JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0",
                "JWT_USER", "from-env", "JWT_SECRET", Tokens.SEED_SECRET), List.of("-DJWT_USER=from-property")))
        {
            int port = proxy.awaitListening();

            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());

            String token = response.headers().firstValue("x-my-jwt").orElseThrow();
            assertThat(Tokens.verifies(token, Tokens.SEED_SECRET)).as("signed with JWT_SECRET from the environment").isTrue();
            assertThat(Tokens.claims(token).get("payload").get("user").asText()).isEqualTo("from-property");
            assertThat(proxy.output()).doesNotContain(Tokens.SEED_SECRET).doesNotContain(token);
        }
    }

    @Test
    void badSettingsStopStartUpWithOneLineNamingThem() throws Exception
    {
        try (JavaProcess proxy = JavaProcess.jar(Map.of("UPSTREAM_URL", "ftp://files", "JWT_SECRET", "too-short-secret"), List.of()))
        {
            int exit = proxy.awaitExit(START);

            assertThat(exit).isEqualTo(2);
            assertThat(proxy.output().strip()).isEqualTo("jwt-proxy: invalid configuration: "
                + "UPSTREAM_URL: \"ftp://files\" is not an absolute http(s) URL; JWT_SECRET: is 16 bytes; HS512 needs at least 64 (RFC 7518 §3.2)");
        }
    }

    @Test
    void portInUseIsReportedByName() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             JavaProcess proxy = JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", Integer.toString(taken.getLocalPort())), List.of()))
        {
            int exit = proxy.awaitExit(START);

            assertThat(exit).isEqualTo(1);
            assertThat(proxy.output()).contains("jwt-proxy: HTTP_PORT: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(proxy.output()).doesNotContainPattern("\\n\\s+at ");
        }
    }

    @Test
    void echoUpstreamRunsOnItsOwn() throws Exception
    {
        // The echo upstream reads the embedded server's settings only: a proxy setting that would stop the proxy is not its concern.
        try (JavaProcess echo = JavaProcess.jar(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "JWT_SECRET", "too-short", "UPSTREAM_URL", "ftp://x"),
            List.of(), "echo"))
        {
            int port = echo.awaitListening();

            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x?y"))
                .header("X-Probe", "1").POST(HttpRequest.BodyPublishers.ofString("ping")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.body()).isEqualTo("ping");
            assertThat(response.headers().firstValue("x-probe")).hasValue("1");
            assertThat(response.headers().firstValue("x-echo-request")).hasValue("POST /x?y HTTP/1.1");
        }
    }
}
