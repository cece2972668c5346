package io.jwtproxy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.Deployment;
import io.jwtproxy.testing.JavaProcess;
import io.jwtproxy.testing.OidcProvider;
import io.jwtproxy.testing.RawHttp;
import io.jwtproxy.testing.ServletServer;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jwt-proxy as the decision endpoint of gateways that carry the traffic themselves: real nginx
 * ({@code auth_request}) and real Caddy ({@code forward_auth}) from Debian's packages, with the
 * README's configurations, in front of an upstream that counts what reaches it.
 */
class GatewayIT
{
    private static final String ALICE = "Basic " + Base64.getEncoder().encodeToString("alice:correct horse battery".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicInteger reached = new AtomicInteger();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private Server upstream;
    private OidcProvider provider;
    private int adminPort;

    @BeforeEach
    void start() throws Exception
    {
        upstream = ServletServer.on(new HttpServlet()
        {
            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException
            {
                reached.incrementAndGet();
                response.setHeader("x-upstream-token", String.valueOf(request.getHeader("x-my-jwt")));
                response.setHeader("x-upstream-authorization", String.valueOf(request.getHeader("Authorization")));
                response.getOutputStream().write(("upstream saw " + request.getMethod() + " " + request.getRequestURI()).getBytes(StandardCharsets.UTF_8));
            }
        });
        upstream.start();
        provider = new OidcProvider();
        resources.add(provider);
    }

    /** Starts jwt-proxy deciding for {@code kind}, as the README's snippet for it says to. */
    private void startProxy(String kind) throws Exception
    {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "ADMIN_PORT", "0",
            "FORWARD_AUTH", "true", "FORWARD_AUTH_GATEWAY", kind, "AUTH", "basic,bearer", "AUTH_BASIC_FILE",
            Path.of("src/test/resources/htpasswd/users").toAbsolutePath().toString(), "AUTH_PUBLIC_PATHS", "/public/", "AUTH_BASIC_MAX_FAILURES", "3"));
        settings.putAll(Map.of("AUTH_ISSUER", provider.issuer(), "AUTH_AUDIENCE", OidcProvider.AUDIENCE, "JWT_SECRET", Tokens.SEED_SECRET,
            "JWT_BIND_REQUEST", "true", "UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(upstream)));
        JavaProcess proxy = JavaProcess.jar(settings, List.of("-Xmx128m"));
        resources.add(0, proxy);
        proxy.awaitListening();
        adminPort = Integer.parseInt(proxy.awaitLine("admin listener on http://127.0.0.1:(\\d+)", Duration.ofSeconds(10)));
    }

    @AfterEach
    void stop() throws Exception
    {
        for (AutoCloseable resource : resources)
            resource.close();
        upstream.stop();
    }

    /** @return the gateway's port, once it listens */
    private int gateway(String kind) throws Exception
    {
        startProxy(kind);
        int port = Deployment.freePort();
        int upstreamPort = EmbeddedServer.port(upstream);
        Process process;
        if (kind.equals("nginx"))
        {
            // The README's snippet, with this test's ports.
            String conf = Files.readString(Path.of("docs/gateways/nginx.conf"))
                .replace("127.0.0.1:9090", "127.0.0.1:" + adminPort).replace("127.0.0.1:9000", "127.0.0.1:" + upstreamPort)
                .replace("listen 8080", "listen 127.0.0.1:" + port);
            Files.createDirectories(dir.resolve("logs"));
            Files.writeString(dir.resolve("nginx.conf"), "pid " + dir.resolve("nginx.pid") + ";\nerror_log " + dir.resolve("logs/error.log")
                + ";\nevents {}\nhttp {\n access_log off;\n client_body_temp_path " + dir + ";\n proxy_temp_path " + dir + ";\n" + conf + "}\n");
            process = new ProcessBuilder("nginx", "-g", "daemon off;", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        }
        else
        {
            String caddyfile = Files.readString(Path.of("docs/gateways/Caddyfile"))
                .replace("127.0.0.1:9090", "127.0.0.1:" + adminPort).replace("127.0.0.1:9000", "127.0.0.1:" + upstreamPort)
                .replace(":8080 {", "http://127.0.0.1:" + port + " {");
            Files.writeString(dir.resolve("Caddyfile"), "{\n\tadmin off\n\tauto_https off\n}\n" + caddyfile);
            ProcessBuilder builder = new ProcessBuilder("caddy", "run", "--config", dir.resolve("Caddyfile").toString(), "--adapter", "caddyfile")
                .redirectErrorStream(true).redirectOutput(dir.resolve("caddy.out").toFile());
            builder.environment().put("XDG_DATA_HOME", dir.toString());
            builder.environment().put("XDG_CONFIG_HOME", dir.toString());
            builder.environment().put("HOME", dir.toString());
            process = builder.start();
        }
        resources.add(0, process::destroy);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true)
        {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port))
            {
                return port;
            }
            catch (IOException x)
            {
                assertThat(process.isAlive()).as("%s runs: %s", kind, Files.readString(dir.resolve(kind + ".out"))).isTrue();
                assertThat(System.nanoTime()).as("%s listening", kind).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    private HttpResponse<String> send(int port, String method, String pathAndQuery, String... headers) throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(Duration.ofSeconds(20))
            .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("a body the decision never needs")
                : HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2)
            request.header(headers[i], headers[i + 1]);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginx", "caddy"})
    void theGatewayForwardsEachAuthenticatedRequestWithATokenBoundToItAndRefusesTheRest(String kind) throws Exception
    {
        int port = gateway(kind);

        HttpResponse<String> basic = send(port, "GET", "/orders/42?expand=items", "Authorization", ALICE);
        HttpResponse<String> bearer = send(port, "POST", "/orders", "Authorization", "Bearer " + provider.token("bob"));
        int before = reached.get();
        HttpResponse<String> anonymous = send(port, "GET", "/orders/42");

        assertThat(basic.statusCode()).as(basic.body()).isEqualTo(200);
        JsonNode aliceClaims = Tokens.claims(basic.headers().firstValue("x-upstream-token").orElseThrow());
        assertThat(Tokens.verifies(basic.headers().firstValue("x-upstream-token").orElseThrow(), Tokens.SEED_SECRET)).isTrue();
        assertThat(aliceClaims.get("sub").asText()).isEqualTo("alice");
        assertThat(aliceClaims.get("htm").asText()).isEqualTo("GET");
        assertThat(aliceClaims.get("htu").asText()).as("the original request, without its query").isEqualTo("http://127.0.0.1:" + port + "/orders/42");
        assertThat(basic.body()).isEqualTo("upstream saw GET /orders/42");

        assertThat(bearer.statusCode()).isEqualTo(200);
        JsonNode bobClaims = Tokens.claims(bearer.headers().firstValue("x-upstream-token").orElseThrow());
        assertThat(bobClaims.get("sub").asText()).isEqualTo("bob");
        assertThat(bobClaims.get("htm").asText()).isEqualTo("POST");
        assertThat(bobClaims.get("htu").asText()).isEqualTo("http://127.0.0.1:" + port + "/orders");
        assertThat(bobClaims.get("jti").asText()).isNotEqualTo(aliceClaims.get("jti").asText());

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().allValues("WWW-Authenticate")).as("the challenges, passed back by %s", kind)
            .contains("Basic realm=\"jwt-proxy\", charset=\"UTF-8\"");
        assertThat(reached.get()).as("nothing forwarded without credentials").isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginx", "caddy"})
    void neitherAPathsSpellingNorAFieldTheClientWroteGetsPastTheDecision(String kind) throws Exception
    {
        int port = gateway(kind);
        String[][] attempts = {
            {"/public/../admin"},
            {"/public/./../admin"},
            {"/public/%2e%2e/admin"},
            {"/public/..%2fadmin"},
            {"/public/..;/admin"},
            {"/admin", "X-Original-URI: /public/x", "X-Original-Method: GET"},
            {"/admin", "X-Forwarded-Uri: /public/x", "X-Forwarded-Method: GET"},
            {"/admin", "X-Original-URI: /public/x", "X-Forwarded-Uri: /public/x"}};

        for (String[] attempt : attempts)
        {
            int before = reached.get();
            RawHttp.Response response = RawHttp.get(port, null, attempt[0], java.util.Arrays.copyOfRange(attempt, 1, attempt.length));
            assertThat(response.status()).as("%s %s through %s", attempt[0], String.join(", ", java.util.Arrays.copyOfRange(attempt, 1,
                attempt.length)), kind).isNotEqualTo(200).isGreaterThanOrEqualTo(400);
            assertThat(reached.get()).as("%s reached the upstream", attempt[0]).isEqualTo(before);
        }
        RawHttp.Response open = RawHttp.get(port, null, "/public/logo.png");
        assertThat(open.status()).isEqualTo(200);
        assertThat(open.text()).isEqualTo("upstream saw GET /public/logo.png");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginx", "caddy"})
    void oneClientsFailedGuessesLockOutNoOtherClientBehindTheGateway(String kind) throws Exception
    {
        int port = gateway(kind);
        String guess = "Authorization: Basic " + Base64.getEncoder().encodeToString("alice:guess".getBytes(StandardCharsets.UTF_8));

        for (int i = 0; i < 3; i++)
            assertThat(RawHttp.get(port, "127.0.0.2", "/orders", guess).status()).isEqualTo(401);
        RawHttp.Response attacker = RawHttp.get(port, "127.0.0.2", "/orders", "Authorization: " + ALICE);
        RawHttp.Response alice = RawHttp.get(port, "127.0.0.3", "/orders", "Authorization: " + ALICE);
        RawHttp.Response typo = RawHttp.get(port, "127.0.0.4", "/orders", guess);

        // nginx's auth_request answers 500 for anything but 2xx, 401 and 403: the 429 comes through Caddy only.
        assertThat(attacker.status()).as("the attacker, limited").isEqualTo(kind.equals("nginx") ? 500 : 429);
        assertThat(alice.status()).as("another client of the same gateway").isEqualTo(200);
        assertThat(typo.status()).as("a third, checked").isEqualTo(401);
    }
}
