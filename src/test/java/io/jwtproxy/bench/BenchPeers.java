package io.jwtproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

import io.jwtproxy.testing.OtlpCollector;
import io.jwtproxy.testing.WebSocketUpstream;

/**
 * The Java peers of {@code bench/run}'s WebSocket and SSE rounds, run from the test classpath.
 * Each command prints one JSON line of results where it measures something.
 * <ul>
 * <li>{@code ws-upstream PORT}: the tests' WebSocket echo upstream (Jetty's server), until killed.</li>
 * <li>{@code sse-upstream PORT EVENTS PAUSE_MS}: answers each request with EVENTS Server-Sent
 * Events, PAUSE_MS apart, each carrying the monotonic clock's reading when it was sent.</li>
 * <li>{@code ws-echo URL BYTES SECONDS CONNECTIONS}: that many WebSockets, each sending a
 * message of BYTES and, when its echo is back, the next: messages/s, MB/s each way, round trips.</li>
 * <li>{@code sse-delay URL}: reads one stream of the SSE upstream: how late each event arrived.</li>
 * <li>{@code ws-idle URL COUNT}: opens COUNT WebSockets, prints how many opened, and holds them
 * silent until its standard input closes.</li>
 * <li>{@code otlp-collector PORT}: an OTLP/HTTP trace receiver that counts the spans it gets, printing the count every
 * 10 s, until killed.</li>
 * </ul>
 * The monotonic clock ({@link System#nanoTime}) is the machine's: the upstream's readings and the
 * client's compare across processes.
 */
public final class BenchPeers
{
    private static final Pattern EVENT = Pattern.compile("data: (\\d+)\n");

    private BenchPeers()
    {
    }

    public static void main(String[] args) throws Exception
    {
        switch (args[0])
        {
            case "ws-upstream" -> new WebSocketUpstream(Integer.parseInt(args[1]));
            case "sse-upstream" -> sseUpstream(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]));
            case "ws-echo" -> wsEcho(URI.create(args[1]), Integer.parseInt(args[2]), Duration.ofSeconds(Long.parseLong(args[3])),
                Integer.parseInt(args[4]));
            case "sse-delay" -> sseDelay(URI.create(args[1]));
            case "ws-idle" -> wsIdle(URI.create(args[1]), Integer.parseInt(args[2]));
            case "otlp-collector" -> otlpCollector(Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static void otlpCollector(int port) throws Exception
    {
        try (OtlpCollector collector = OtlpCollector.counting(port))
        {
            while (true)
            {
                Thread.sleep(10_000);
                System.out.println("{\"spans\": " + collector.received() + "}");
            }
        }
    }

    private static void sseUpstream(int port, int events, long pauseMillis) throws Exception
    {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new HttpServlet()
        {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException
            {
                response.setContentType("text/event-stream");
                response.setHeader("Cache-Control", "no-cache");
                ServletOutputStream out = response.getOutputStream();
                out.flush();
                for (int number = 0; number < events; number++)
                {
                    try
                    {
                        // The pause between events is the stream's shape.
                        Thread.sleep(pauseMillis);
                    }
                    catch (InterruptedException x)
                    {
                        return;
                    }
                    out.write(("data: " + System.nanoTime() + "\n\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            }
        }, "/*");
        server.setHandler(context);
        server.start();
    }

    private static void sseDelay(URI uri) throws IOException
    {
        List<Double> delays = new ArrayList<>();
        try (Socket socket = new Socket(uri.getHost(), uri.getPort()))
        {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getAuthority()
                + "\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[4096];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer))
            {
                long now = System.nanoTime();
                received.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
                Matcher event = EVENT.matcher(received);
                int consumed = 0;
                while (event.find())
                {
                    delays.add((now - Long.parseLong(event.group(1))) / 1e6);
                    consumed = event.end();
                }
                received.delete(0, consumed);
            }
        }
        double[] sorted = delays.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("{\"events\": %d, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f}%n", sorted.length,
            percentile(sorted, 50), percentile(sorted, 99), sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
    }

    private static void wsEcho(URI uri, int bytes, Duration duration, int connections) throws Exception
    {
        byte[] payload = new byte[bytes];
        new Random(1).nextBytes(payload);
        WebSocketClient client = new WebSocketClient();
        client.setMaxBinaryMessageSize(Math.max(bytes, 64 * 1024));
        client.setIdleTimeout(Duration.ofMinutes(2));
        client.start();
        try
        {
            List<Echoer> echoers = new ArrayList<>();
            for (int i = 0; i < connections; i++)
            {
                Echoer echoer = new Echoer(payload);
                client.connect(echoer, uri).get(30, TimeUnit.SECONDS);
                echoers.add(echoer);
            }
            long start = System.nanoTime();
            long deadline = start + duration.toNanos();
            echoers.forEach(echoer -> echoer.start(deadline));
            long errors = 0;
            for (Echoer echoer : echoers)
            {
                if (!echoer.done.get(duration.toSeconds() + 60, TimeUnit.SECONDS))
                    errors++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long messages = echoers.stream().mapToLong(echoer -> echoer.messages.get()).sum();
            double[] rtts = echoers.stream().flatMapToDouble(echoer -> echoer.rttsMillis.stream().mapToDouble(Double::doubleValue)).sorted()
                .toArray();
            System.out.printf("{\"messages\": %d, \"seconds\": %.2f, \"msgs_s\": %.1f, \"mb_s\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
                    + "\"errors\": %d}%n", messages, seconds, messages / seconds, messages * (double)bytes / seconds / 1e6,
                percentile(rtts, 50), percentile(rtts, 99), errors);
            for (Echoer echoer : echoers)
                echoer.getSession().close();
        }
        finally
        {
            client.stop();
        }
    }

    private static void wsIdle(URI uri, int count) throws Exception
    {
        WebSocketClient client = new WebSocketClient();
        client.setIdleTimeout(Duration.ofHours(1));
        client.start();
        List<CompletableFuture<Session>> connecting = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            connecting.add(client.connect(new Silent(), uri));
            // At most 100 handshakes in flight.
            if (connecting.size() % 100 == 0)
                CompletableFuture.allOf(connecting.subList(connecting.size() - 100, connecting.size()).toArray(CompletableFuture[]::new))
                    .handle((done, failure) -> null).get(60, TimeUnit.SECONDS);
        }
        long opened = 0;
        for (CompletableFuture<Session> session : connecting)
        {
            try
            {
                session.get(60, TimeUnit.SECONDS);
                opened++;
            }
            catch (Exception x)
            {
                // Counted as not opened.
            }
        }
        System.out.printf("{\"opened\": %d, \"failed\": %d}%n", opened, count - opened);
        System.out.flush();
        // Held, silent, until bench.py has measured and closes our standard input.
        while (System.in.read() >= 0)
        {
            // Nothing to read: this waits for the end of input.
        }
        client.stop();
    }

    private static double percentile(double[] sorted, int percent)
    {
        if (sorted.length == 0)
            return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int)Math.ceil(percent / 100.0 * sorted.length) - 1)];
    }

    /** A WebSocket that says nothing. */
    public static final class Silent extends Session.Listener.AbstractAutoDemanding
    {
    }

    /** One WebSocket of the echo round: one message in flight, the next sent when its echo is back. */
    public static final class Echoer extends Session.Listener.AbstractAutoDemanding
    {
        private final byte[] payload;
        private final AtomicLong messages = new AtomicLong();
        private final List<Double> rttsMillis = new ArrayList<>();
        private final CompletableFuture<Boolean> done = new CompletableFuture<>();
        private volatile long deadline;
        private long sentAt;

        private Echoer(byte[] payload)
        {
            this.payload = payload;
        }

        void start(long deadline)
        {
            this.deadline = deadline;
            send();
        }

        private void send()
        {
            sentAt = System.nanoTime();
            getSession().sendBinary(ByteBuffer.wrap(payload), Callback.NOOP);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer echoed, Callback callback)
        {
            long now = System.nanoTime();
            boolean exact = echoed.equals(ByteBuffer.wrap(payload));
            callback.succeed();
            if (!exact)
            {
                done.complete(false);
                return;
            }
            messages.incrementAndGet();
            rttsMillis.add((now - sentAt) / 1e6);
            if (now < deadline)
                send();
            else
                done.complete(true);
        }

        @Override
        public void onWebSocketError(Throwable cause)
        {
            done.complete(false);
        }
    }
}
