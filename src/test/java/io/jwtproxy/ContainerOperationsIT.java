package io.jwtproxy;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.Deployment;
import io.jwtproxy.testing.IndependentJose;
import io.jwtproxy.testing.OtlpCollector;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

/** Metrics, probes and traces, a failed deployment on bad settings, Tomcat's undeploy and redeploy, and jetty-home's drain on stop. */
class ContainerOperationsIT extends ContainerChecks
{
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void metricsProbesAndTracesAnswerUnderAdminPathAndTheSeedsStatusPathIsForwarded(Deployment deployment) throws Exception
    {
        Server upstream = echo();
        OtlpCollector collector = track(OtlpCollector.http());
        resources.add(0, deployment);
        // The OTEL_* names as each deployment takes settings: the jar's and jetty-home's environment, Tomcat 11's context parameters,
        // Tomcat 10.1's system properties.
        deployment.start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(upstream), "JWT_SECRET", Tokens.SEED_SECRET,
            "ADMIN_PATH", "/_jwt-proxy", "ACCESS_LOG_FORMAT", "json", "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
            "OTEL_SERVICE_NAME", "proxy-in-" + deployment, "OTEL_BSP_SCHEDULE_DELAY", "100ms"));
        String admin = deployment.base() + "/_jwt-proxy";

        HttpResponse<String> orders = get(deployment.base() + "/orders", "traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01");
        HttpResponse<String> status = get(deployment.base() + "/status");
        HttpResponse<String> metrics = get(admin + "/metrics");

        assertThat(orders.statusCode()).isEqualTo(200);
        assertThat(status.headers().firstValue("x-upstream-token")).as("/status goes upstream once ADMIN_PATH moved it").isPresent();
        assertThat(metrics.statusCode()).isEqualTo(200);
        // The start-up's wait for /status, forwarded too, and the two requests here.
        assertThat(metrics.body()).contains("jwtproxy_requests_total{method=\"GET\",status_class=\"2xx\"} 3.0")
            .contains("jvm_memory_used_bytes");
        assertThat(get(admin + "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(admin + "/readyz").statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(get(admin + "/status").body()).get("requestsForwarded").asLong()).isEqualTo(3);
        String jti = Tokens.claims(orders.headers().firstValue("x-upstream-token").orElseThrow()).get("jti").asText();
        JsonNode line = JSON.readTree(awaitLogLine(deployment, "\"jti\":\"" + jti + "\"").replaceAll("^[^{]*", ""));
        assertThat(line.get("path").asText()).isEqualTo(deployment.contextPath() + "/orders");
        assertThat(line.get("upstreamStatus").asInt()).isEqualTo(200);
        assertThat(line.get("traceId").asText()).as("the access line's trace").isEqualTo(TRACE);
        List<OtlpCollector.Received> spans = collector.await(2, span -> span.traceId().equals(TRACE) && span.name().equals("GET"), Duration.ofSeconds(20));
        assertThat(spans).extracting(OtlpCollector.Received::service).containsOnly("proxy-in-" + deployment);
        assertThat(spans).filteredOn(span -> span.kind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER).singleElement()
            .satisfies(server -> assertThat(server.attribute("url.path")).isEqualTo(deployment.contextPath() + "/orders"))
            .satisfies(server -> assertThat(server.attribute("jwtproxy.token.jti")).isEqualTo(jti));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void badConfigurationFailsTheDeploymentWithTheReasonInTheLog(Deployment deployment) throws Exception
    {
        resources.add(0, deployment);

        deployment.startExpectingFailure(Map.of("JWT_SECRET", "not-64-bytes"), "is 12 bytes; HS512 needs at least 64");

        if (deployment instanceof Deployment.Jar)
        {
            // The jar's demo mode stands in for a missing UPSTREAM_URL; the short secret still stops it.
            assertThat(deployment.process().awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            return;
        }
        assertThat(deployment.log()).contains("invalid configuration: UPSTREAM_URL: is required");
        // The container stays up, but nothing is proxied by a half-initialised servlet.
        HttpResponse<String> response = get(deployment.base() + "/x");
        assertThat(response.statusCode()).as("no proxying after a failed deployment").isIn(404, 503);
        assertThat(response.headers().map()).doesNotContainKey("x-upstream-token");
    }

    @org.junit.jupiter.api.Test
    void tomcatUndeployReleasesEverythingAndRedeployStartsFresh() throws Exception
    {
        Server echo = echo();
        // ES256 with a keys directory: the key refresher thread must stop with the context, and a
        // redeployed WAR must carry on with the keys (and so the kid) of the directory.
        java.nio.file.Path keys = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target"), "tomcat-keys");
        // Settings as system properties: Tomcat deletes a context descriptor when its WAR is removed.
        Deployment.Tomcat tomcat = new Deployment.Tomcat("tomcat-11-redeploy", System.getProperty("jwtproxy.tomcat11"), "/proxy", false);
        resources.add(0, tomcat);
        tomcat.start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(echo), "JWT_ALG", "ES256",
            "JWT_KEYS_DIR", keys.toAbsolutePath().toString(), "JWT_TTL_SECONDS", "300", "JWT_ROTATE_EVERY", "1d"));
        HttpResponse<String> before = get(tomcat.base() + "/before");
        assertThat(before.statusCode()).isEqualTo(200);
        String tokenBefore = before.headers().firstValue("x-upstream-token").orElseThrow();
        java.nio.file.Path war = tomcat.deployedWar();
        byte[] warBytes = java.nio.file.Files.readAllBytes(war);

        // A slow upload in flight while the WAR is removed: it must finish, not be cut.
        assertThat(slowUploadAcross(tomcat, () -> java.nio.file.Files.delete(war)))
            .as("in-flight upload finished across the undeploy").isNull();
        awaitStatus(tomcat.base() + "/status", 404);
        // Tomcat's leak detection runs as the context stops; its findings are WARNings naming the webapp.
        assertThat(tomcat.log()).contains("Undeploying").doesNotContain("memory leak").doesNotContain("failed to stop it");

        java.nio.file.Files.write(war, warBytes);
        awaitStatus(tomcat.base() + "/status", 200);
        HttpResponse<String> after = get(tomcat.base() + "/after");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(requestsReceived(tomcat)).as("a fresh deployment starts a fresh count").isEqualTo(1);
        io.jsonwebtoken.security.JwkSet set = IndependentJose.parseSet(get(tomcat.base() + "/.well-known/jwks.json").body());
        String kidBefore = IndependentJose.verify(tokenBefore, set, java.time.Instant.now()).getHeader().getKeyId();
        String kidAfter = IndependentJose.verify(after.headers().firstValue("x-upstream-token").orElseThrow(), set, java.time.Instant.now())
            .getHeader().getKeyId();
        assertThat(kidAfter).as("the redeployed proxy signs with the directory's active key").isEqualTo(kidBefore);
    }

    @org.junit.jupiter.api.Test
    void jettyHomeStopDrainsAnInFlightStream() throws Exception
    {
        Server echo = echo();
        Deployment jetty = new Deployment.JettyHome();
        resources.add(0, jetty);
        jetty.start(Map.of("UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(echo), "JWT_SECRET", Tokens.SEED_SECRET));

        assertThat(slowUploadAcross(jetty, () -> ProcessHandle.of(jetty.process().pid()).orElseThrow().destroy()))
            .as("in-flight upload finished across the stop (jetty-base's graceful module)").isNull();
        jetty.process().awaitExit(Duration.ofSeconds(30));
    }
}
