package io.jwtproxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;

import io.jwtproxy.testing.BigBody;
import io.jwtproxy.testing.Deployment;
import io.jwtproxy.testing.EventStream;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.RevealingEcho;
import io.jwtproxy.testing.SlowUpload;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the container suites share: the deployments they run against (the executable jar on each
 * engine, the WAR in Tomcat 11 under /proxy with settings in a context descriptor, in Tomcat 10.1 at
 * ROOT with settings as system properties, and in jetty-home with the repository's jetty-base,
 * settings in the environment; each a separate process with a 128 MiB heap), the peers a test starts
 * and stops with it, and the checks they make the same way.
 */
abstract class ContainerChecks
{
    // 1 GiB and a bit.
    protected static final long BIG_BODY = (1L << 30) + 4_321;
    protected static final ObjectMapper JSON = new ObjectMapper();

    protected final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    protected final List<AutoCloseable> resources = new ArrayList<>();

    /** @return {@code resource}, closed after the test */
    protected <T extends AutoCloseable> T track(T resource)
    {
        resources.add(resource);
        return resource;
    }

    static List<Deployment> deployments()
    {
        return Deployment.all();
    }

    /** The deployments at the root context: a gRPC client cannot put a context path before its methods' paths. */
    static List<Deployment> rootDeployments()
    {
        return Deployment.all().stream().filter(deployment -> deployment.contextPath().isEmpty()).toList();
    }

    @AfterEach
    void stop() throws Exception
    {
        for (AutoCloseable resource : resources)
            resource.close();
    }

    /** @return a started Jetty HTTP client speaking h2c with prior knowledge, stopped after the test */
    protected org.eclipse.jetty.client.HttpClient h2cClient() throws Exception
    {
        org.eclipse.jetty.client.HttpClient h2c = new org.eclipse.jetty.client.HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
        h2c.start();
        resources.add(h2c::stop);
        return h2c;
    }

    protected final EventStream events = new EventStream(5, 300, EventStream.Framing.CHUNKED);

    protected Server echo() throws Exception
    {
        Server echo = RevealingEcho.start("x-my-jwt", events);
        resources.add(echo::stop);
        return echo;
    }

    protected HttpResponse<String> get(String url, String... headers) throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2)
            request.header(headers[i], headers[i + 1]);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    protected long requestsReceived(Deployment deployment) throws Exception
    {
        return status(deployment).get("requestsReceived").asLong();
    }

    protected long requestsForwarded(Deployment deployment) throws Exception
    {
        return status(deployment).get("requestsForwarded").asLong();
    }

    protected JsonNode status(Deployment deployment) throws Exception
    {
        return JSON.readTree(get(deployment.base() + "/status").body());
    }

    protected static RawHttp.Response get(RawHttp http, String path) throws Exception
    {
        http.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        return http.readResponse(false);
    }

    /** @return the first line of the deployment's log that contains {@code text}, once there is one */
    protected static String awaitLogLine(Deployment deployment, String text) throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true)
        {
            String log = deployment.log();
            int at = log.indexOf(text);
            if (at >= 0)
            {
                int end = log.indexOf('\n', at);
                return log.substring(log.lastIndexOf('\n', at) + 1, end < 0 ? log.length() : end);
            }
            if (System.nanoTime() > deadline)
                throw new AssertionError(deployment + " did not log \"" + text + "\"; log:\n" + log);
            Thread.sleep(50);
        }
    }

    /** 16 MiB over about 13 s: longer than Tomcat's 10 s check for removed WARs. */
    protected static String slowUploadAcross(Deployment deployment, SlowUpload.Action meanwhile) throws Exception
    {
        int port = deployment.port();
        return SlowUpload.across(port, deployment.contextPath() + "/draining", 16L << 20, 200, meanwhile);
    }

    protected void awaitStatus(String url, int status) throws Exception
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (get(url).statusCode() != status)
        {
            if (System.nanoTime() > deadline)
                throw new AssertionError(url + " did not answer " + status + " within 60 s");
            Thread.sleep(200);
        }
    }

    protected void streamBigBody(Deployment deployment) throws Exception
    {
        int port = deployment.port();
        try (RawHttp http = new RawHttp(port))
        {
            http.send("POST " + deployment.contextPath() + "/big HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + BIG_BODY + "\r\n\r\n");
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() ->
            {
                try
                {
                    BigBody.write(http.output(), BIG_BODY);
                }
                catch (Exception x)
                {
                    throw new IllegalStateException(x);
                }
            });
            long start = System.nanoTime();
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.first("x-echo-body")).isEqualTo("length=" + BIG_BODY);
            String difference = head.first("content-length") != null
                ? BigBody.check(http.input(), BIG_BODY)
                : "response not framed by Content-Length: " + head.fields();
            upload.get(60, TimeUnit.SECONDS);
            assertThat(difference).as("1 GiB echoed byte-exact through %s", deployment).isNull();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("Container*IT %s: %,d bytes both ways in %.1f s (%.0f MB/s each way), peak RSS %,d KiB%n",
                deployment, BIG_BODY, seconds, BIG_BODY / seconds / 1e6, deployment.process().peakRssKiB());
        }
    }
}
