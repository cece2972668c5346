package io.jwtproxy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.security.JwkSet;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.IndependentJose;
import io.jwtproxy.testing.JavaProcess;
import io.jwtproxy.testing.RevealingEcho;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three replicas of the jar sharing one JWT_KEYS_DIR behind a real HAProxy (Debian's), which
 * health-checks {@code /readyz} on each admin port and retries on connection failure only. Under
 * load, each replica in turn gets SIGTERM, exits, restarts and becomes ready again, while the keys
 * rotate: the client sees no failed request, and every token verifies against every replica's JWK Set.
 */
class ReplicasIT
{
    private static final int REPLICAS = 3;
    private static final int CLIENTS = 8;
    private static final Duration LOAD = Duration.ofSeconds(32);

    @TempDir
    Path work;

    @Test
    void aRollingRestartUnderLoadThroughHaproxyLosesNoRequestAndEveryTokenVerifiesEverywhere() throws Exception
    {
        Server upstream = RevealingEcho.start("x-my-jwt");
        Path keys = Files.createDirectory(work.resolve("keys"));
        int[] ports = freePorts(2 * REPLICAS + 1);
        List<Map<String, String>> settings = new ArrayList<>();
        for (int i = 0; i < REPLICAS; i++)
        {
            Map<String, String> replica = new HashMap<>();
            replica.putAll(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", Integer.toString(ports[i]), "ADMIN_PORT", Integer.toString(ports[REPLICAS + i]),
                "UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(upstream), "JWT_ALG", "ES256", "JWT_KEYS_DIR", keys.toString(),
                "JWT_TTL_SECONDS", "120", "JWKS_MAX_AGE", "2s", "JWT_ROTATE_EVERY", "8s", "SHUTDOWN_DELAY", "2s"));
            settings.add(replica);
        }
        JavaProcess[] replicas = new JavaProcess[REPLICAS];
        Process haproxy = null;
        try
        {
            for (int i = 0; i < REPLICAS; i++)
                replicas[i] = start(settings.get(i));
            int front = ports[2 * REPLICAS];
            haproxy = haproxy(front, ports);
            awaitServing(front);

            Load load = new Load(front);
            load.start();
            long began = System.nanoTime();
            int restarts = 0;
            while (System.nanoTime() - began < LOAD.toNanos() || restarts < REPLICAS)
            {
                int i = restarts++ % REPLICAS;
                ProcessHandle.of(replicas[i].pid()).orElseThrow().destroy();
                assertThat(replicas[i].awaitExit(Duration.ofSeconds(30))).as("replica %d's exit status", i).isZero();
                replicas[i] = start(settings.get(i));
                // Back in HAProxy's rotation: it has proxied a request of the load.
                replicas[i].awaitLine("GET /load/", Duration.ofSeconds(20));
            }
            load.stop();

            assertThat(load.completed.get()).as("requests completed").isGreaterThan(1000);
            assertThat(load.failures).as("failed requests and connection errors at the client").isEmpty();
            assertThat(restarts).isGreaterThanOrEqualTo(REPLICAS);
            List<JwkSet> sets = new ArrayList<>();
            for (int i = 0; i < REPLICAS; i++)
                sets.add(IndependentJose.parseSet(get("http://127.0.0.1:" + ports[i] + "/.well-known/jwks.json").body()));
            Set<String> kids = new HashSet<>();
            for (String token : load.tokens)
            {
                for (JwkSet set : sets)
                {
                    Jws<Claims> verified = IndependentJose.verify(token, set, Instant.now());
                    kids.add(verified.getHeader().getKeyId());
                }
            }
            assertThat(load.tokens).as("sampled tokens").hasSizeGreaterThan(100);
            assertThat(kids).as("keys that signed them: the schedule rotated during the test").hasSizeGreaterThanOrEqualTo(3);
        }
        finally
        {
            if (haproxy != null)
                haproxy.destroyForcibly();
            for (JavaProcess replica : replicas)
            {
                if (replica != null)
                    replica.close();
            }
            upstream.stop();
        }
    }

    private static JavaProcess start(Map<String, String> settings) throws Exception
    {
        JavaProcess replica = JavaProcess.jar(settings, List.of("-Xmx128m", "-XX:+UseSerialGC"));
        replica.awaitLine("admin listener on", Duration.ofSeconds(30));
        return replica;
    }

    /**
     * HAProxy in front of the replicas: health checks on /readyz every 300 ms, out after 2 failures, retries on connection failure only.
     * A check may take 2 s: without {@code timeout check} HAProxy allows only the 300 ms interval. Once, on 2 cores shared with the load
     * and a replica's start, HAProxy had no replica left (84 of its 503s, early in the load), most likely every check answering slower
     * than that together; the same run alone passed.
     */
    private Process haproxy(int front, int[] ports) throws IOException
    {
        StringBuilder config = new StringBuilder("""
            global
              maxconn 1024
            defaults
              mode http
              timeout connect 2s
              timeout check 2s
              timeout client 30s
              timeout server 30s
              retries 3
              retry-on conn-failure
              option redispatch
            frontend in
            """);
        config.append("  bind 127.0.0.1:").append(front).append('\n').append("""
              default_backend replicas
            backend replicas
              balance roundrobin
              option httpchk GET /readyz
              http-check expect status 200
              default-server inter 300ms fall 2 rise 2
            """);
        for (int i = 0; i < REPLICAS; i++)
            config.append("  server r").append(i).append(" 127.0.0.1:").append(ports[i]).append(" check port ").append(ports[REPLICAS + i]).append('\n');
        Path file = work.resolve("haproxy.cfg");
        Files.writeString(file, config);
        return new ProcessBuilder(haproxyCommand(), "-db", "-f", file.toString()).redirectErrorStream(true)
            .redirectOutput(work.resolve("haproxy.log").toFile()).start();
    }

    private static String haproxyCommand()
    {
        return Files.isExecutable(Path.of("/usr/sbin/haproxy")) ? "/usr/sbin/haproxy" : "haproxy";
    }

    private static void awaitServing(int front) throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true)
        {
            try
            {
                if (get("http://127.0.0.1:" + front + "/ready").statusCode() == 200)
                    return;
            }
            catch (IOException x)
            {
                // HAProxy not listening yet.
            }
            if (System.nanoTime() > deadline)
                throw new AssertionError("HAProxy does not serve on " + front);
            Thread.sleep(100);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int[] freePorts(int count) throws IOException
    {
        int[] ports = new int[count];
        List<ServerSocket> held = new ArrayList<>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                ServerSocket socket = new ServerSocket(0);
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
        }
        finally
        {
            for (ServerSocket socket : held)
                socket.close();
        }
        return ports;
    }

    /** Keep-alive clients looping GETs through HAProxy; every failure is kept, and one token in 20. */
    private static final class Load
    {
        private final int front;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong completed = new AtomicLong();
        private final Queue<String> failures = new ConcurrentLinkedQueue<>();
        private final Queue<String> tokens = new ConcurrentLinkedQueue<>();
        private final List<Thread> threads = new ArrayList<>();

        Load(int front)
        {
            this.front = front;
        }

        void start()
        {
            for (int c = 0; c < CLIENTS; c++)
            {
                int client = c;
                Thread thread = new Thread(() -> run(client), "load-" + c);
                threads.add(thread);
                thread.start();
            }
        }

        private void run(int client)
        {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            for (long n = 0; running.get(); n++)
            {
                try
                {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front + "/load/" + client + "/" + n))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200)
                        failures.add(response.statusCode() + " for /load/" + client + "/" + n + ": " + response.body());
                    else if (n % 20 == 0)
                        tokens.add(response.headers().firstValue("x-upstream-token").orElseThrow());
                    completed.incrementAndGet();
                }
                catch (IOException | RuntimeException x)
                {
                    failures.add(x + " for /load/" + client + "/" + n);
                }
                catch (InterruptedException x)
                {
                    return;
                }
            }
        }

        void stop() throws InterruptedException
        {
            running.set(false);
            for (Thread thread : threads)
                thread.join(15_000);
        }
    }
}
