package io.jwtproxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.Deployment;
import io.jwtproxy.testing.RevealingEcho;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged WAR deployed in an embedded Jetty under a context path, as a container would run it. */
class WarIT
{
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Server> servers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception
    {
        for (Server server : servers)
            server.stop();
    }

    private WebAppContext deploy(Map<String, String> contextParameters) throws Exception
    {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/proxy");
        webapp.setWar(Deployment.war().toString());
        contextParameters.forEach(webapp::setInitParameter);
        server.setHandler(webapp);
        servers.add(server);
        server.start();
        return webapp;
    }

    private static int port(WebAppContext webapp)
    {
        return EmbeddedServer.port(webapp.getServer());
    }

    @Test
    void warCarriesItsProxyAndLoggingButNoServer() throws Exception
    {
        try (ZipFile zip = new ZipFile(Deployment.war().toFile()))
        {
            List<String> libs = zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith("WEB-INF/lib/")).toList();

            assertThat(libs).anyMatch(n -> n.contains("jetty-ee10-proxy-")).anyMatch(n -> n.contains("jetty-client-"))
                .anyMatch(n -> n.contains("slf4j-jdk14-")).anyMatch(n -> n.contains("jose4j-"));
            assertThat(libs).noneMatch(n -> n.contains("jakarta.servlet-api")).noneMatch(n -> n.contains("jetty-server-"))
                .noneMatch(n -> n.contains("jetty-slf4j-impl"));
            assertThat(zip.getEntry("WEB-INF/web.xml")).isNotNull();
            List<String> classes = zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith("WEB-INF/classes/") && n.endsWith(".class")).toList();
            assertThat(classes).contains("WEB-INF/classes/io/jwtproxy/JwtProxyServlet.class")
                .as("the executable jar's package needs the embedded server the WAR leaves out")
                .noneMatch(n -> n.startsWith("WEB-INF/classes/io/jwtproxy/embedded/"));
        }
    }

    @Test
    void proxiesUnderAContextPathWithTokenAndStatus() throws Exception
    {
        Server echo = RevealingEcho.start("x-my-jwt");
        servers.add(echo);
        // HTTP_PORT and CLIENT_IDLE_TIMEOUT are the embedded server's: the WAR must neither read nor fail on them.
        WebAppContext webapp = deploy(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(echo) + "/api",
            "JWT_SECRET", Tokens.SEED_SECRET, "JWT_USER", "war-user", "HTTP_PORT", "not a port", "CLIENT_IDLE_TIMEOUT", "soon"));
        String base = "http://127.0.0.1:" + port(webapp) + "/proxy";
        byte[] body = new byte[4 * 1024 * 1024 + 3];
        new java.util.Random(7).nextBytes(body);

        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(base + "/orders/42?expand=all"))
            .header("x_my_jwt", "forged").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-echo-request")).as("context path stripped, base path prefixed")
            .hasValue("POST /api/orders/42?expand=all HTTP/1.1");
        assertThat(response.headers().firstValue("x-echo-body")).hasValue("length=" + body.length);
        assertThat(response.body()).isEqualTo(body);
        String token = response.headers().firstValue("x-upstream-token").orElseThrow();
        assertThat(token).as("exactly one token reached the upstream").doesNotContain("|").doesNotContain("forged");
        assertThat(response.headers().firstValue("x-upstream-headers").orElseThrow().split(",")).doesNotContain("x_my_jwt");
        assertThat(response.headers().map()).doesNotContainKeys("x-my-jwt", "x_my_jwt");
        assertThat(Tokens.verifies(token, Tokens.SEED_SECRET)).isTrue();
        assertThat(Tokens.claims(token).get("payload").get("user").asText()).isEqualTo("war-user");

        String status = client.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(status).contains("\"requestsReceived\":1").contains("\"requestsForwarded\":1");
    }

    @Test
    void upstreamDownGives502() throws Exception
    {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0))
        {
            closedPort = socket.getLocalPort();
        }
        WebAppContext webapp = deploy(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + closedPort, "JWT_SECRET", Tokens.SEED_SECRET));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(webapp) + "/proxy/x")).build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(502);
    }

    @Test
    void missingSettingsFailTheDeploymentWithTheReasonLogged() throws Exception
    {
        List<String> logged = new ArrayList<>();
        Handler capture = new Handler()
        {
            @Override
            public void publish(LogRecord record)
            {
                synchronized (logged)
                {
                    logged.add(record.getMessage());
                }
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
        // The WAR logs through slf4j-jdk14, that is java.util.logging, as in Tomcat.
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try
        {
            WebAppContext webapp;
            try
            {
                webapp = deploy(Map.of("JWT_SECRET", "short"));
            }
            catch (Exception x)
            {
                webapp = (WebAppContext)servers.get(servers.size() - 1).getHandler();
            }

            assertThat(webapp.isAvailable()).as("deployment failed").isFalse();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(webapp) + "/proxy/x")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(503);
            synchronized (logged)
            {
                assertThat(logged).anyMatch(m -> m.contains("invalid configuration: UPSTREAM_URL: is required")
                    && m.contains("JWT_SECRET: is 5 bytes; HS512 needs at least 64"));
            }
        }
        finally
        {
            root.removeHandler(capture);
        }
    }
}
