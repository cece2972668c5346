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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.server.Server;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

import io.jwtproxy.embedded.EmbeddedServer;
import io.jwtproxy.testing.JavaProcess;
import io.jwtproxy.testing.RevealingEcho;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Debian package as an operator installs it (CI runs as root): {@code systemd-analyze verify}
 * on its unit, {@code dpkg -i}, the unit's {@code ExecStart} line run by hand with the settings file
 * and the generated secret (systemd itself does not run here), then {@code dpkg --purge}.
 */
class PackageIT
{
    private static final Path UNIT = Path.of("/lib/systemd/system/jwt-proxy.service");
    private static final Path SETTINGS = Path.of("/etc/jwt-proxy/jwt-proxy.env");
    private static final Path SECRET = Path.of("/etc/jwt-proxy/jwt-secret");

    @Test
    void thePackageInstallsAVerifiedUnitWhoseExecStartProxiesWithItsSecretAndPurgesClean() throws Exception
    {
        assumeTrue("root".equals(System.getProperty("user.name")), "dpkg -i needs root (CI runs as root)");
        Path deb;
        try (var files = Files.list(Path.of("target")))
        {
            deb = files.filter(file -> file.getFileName().toString().matches("jwt-proxy_.*_all\\.deb")).findFirst().orElseThrow();
        }
        assertThat(run("dpkg-deb", "-I", deb.toString(), "conffiles")).isEqualTo(SETTINGS + "\n");
        Server upstream = RevealingEcho.start("x-my-jwt");
        try
        {
            run("dpkg", "-i", deb.toString());
            assertThat(Path.of("/usr/share/jwt-proxy/jwt-proxy.jar")).isRegularFile();
            assertThat(SETTINGS).isRegularFile();
            assertThat(run("stat", "-c", "%a %U", SECRET.toString())).as("the generated secret, root's only").isEqualTo("600 root\n");
            String unit = Files.readString(UNIT);
            assertThat(unit).contains("DynamicUser=yes", "StateDirectory=jwt-proxy", "LoadCredential=jwt-secret:" + SECRET, "ProtectSystem=strict",
                "NoNewPrivileges=yes", "-XX:+UseSerialGC", "TimeoutStopSec=45");
            assertThat(run("systemd-analyze", "verify", UNIT.toString())).as("systemd-analyze verify's complaints").isEmpty();

            // ExecStart by hand: the settings file, its secret where systemd's credential would be.
            Map<String, String> environment = new HashMap<>();
            for (String line : Files.readAllLines(SETTINGS))
            {
                if (!line.isBlank() && !line.startsWith("#"))
                    environment.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
            assertThat(environment).containsKeys("JWT_SECRET_FILE", "SHUTDOWN_DELAY", "SHUTDOWN_DRAIN");
            environment.putAll(Map.of("JWT_SECRET_FILE", SECRET.toString(), "HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "ADMIN_PORT", "0",
                "UPSTREAM_URL", "http://127.0.0.1:" + EmbeddedServer.port(upstream), "SHUTDOWN_DELAY", "0s"));
            String execStart = unit.lines().filter(line -> line.startsWith("ExecStart=")).findFirst().orElseThrow().substring("ExecStart=".length());
            List<String> command = new ArrayList<>(Arrays.asList(execStart.split(" ")));
            assertThat(command.get(0)).isEqualTo("/usr/bin/java");
            try (JavaProcess proxy = JavaProcess.start(environment, null, command.subList(1, command.size()).toArray(String[]::new)))
            {
                int port = proxy.awaitListening();
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                JsonWebSignature jws = new JsonWebSignature();
                jws.setCompactSerialization(response.headers().firstValue("x-upstream-token").orElseThrow());
                jws.setKey(new HmacKey(Files.readString(SECRET).getBytes(StandardCharsets.UTF_8)));
                assertThat(jws.verifySignature()).as("the token verifies with the package's secret").isTrue();
                ProcessHandle.of(proxy.pid()).orElseThrow().destroy();
                assertThat(proxy.awaitExit(Duration.ofSeconds(40))).isZero();
            }
        }
        finally
        {
            upstream.stop();
            run("dpkg", "--purge", "jwt-proxy");
        }
        assertThat(UNIT).doesNotExist();
        assertThat(Path.of("/usr/share/jwt-proxy")).doesNotExist();
        assertThat(Path.of("/etc/jwt-proxy")).as("settings and secret purged").doesNotExist();
    }

    /** @return the command's output; fails the test if it does not exit 0 */
    private static String run(String... command) throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("%s exit status; output:%n%s", String.join(" ", command), output).isZero();
        return output;
    }
}
