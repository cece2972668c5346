package io.jwtproxy.auth;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.config.ConfigException;
import io.jwtproxy.config.ConfigSource;
import io.jwtproxy.config.EmbeddedConfig;
import io.jwtproxy.testing.Certificates;
import io.jwtproxy.testing.Certificates.Issued;
import io.jwtproxy.testing.Certificates.KeyForm;
import io.jwtproxy.testing.Certificates.Purpose;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * AUTH=basic against htpasswd files whose lines Apache's htpasswd made (src/test/resources/htpasswd),
 * and AUTH=mtls with client certificates made in the test, one carrying a SPIFFE ID.
 */
class BasicAndCertificateAuthTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Proxies proxies = new Proxies();
    @TempDir
    Path dir;

    private Proxy proxy(String... auth) throws Exception
    {
        return proxies.startRevealing(auth);
    }

    private static Path htpasswd(String name)
    {
        return Path.of("src/test/resources/htpasswd", name);
    }

    private static HttpResponse<String> get(HttpClient client, java.net.URI uri, String... headers) throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2)
            request.header(headers[i], headers[i + 1]);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password)
    {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aBasicCheckInFlightDoesNotDelayOtherClientsRequests() throws Exception
    {
        // Cost 14: over a second of bcrypt per check here. On the selector's thread, it would stall every connection of that selector.
        String slow = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(14, "slow".toCharArray());
        Path users = Files.writeString(dir.resolve("users"), "u1:" + slow + "\nu2:" + slow + "\nu3:" + slow + "\n");
        Proxy proxy = proxy("AUTH", "basic", "AUTH_BASIC_FILE", users.toString(), "AUTH_PUBLIC_PATHS", "/public/");
        List<CompletableFuture<HttpResponse<String>>> checks = new ArrayList<>();
        for (String user : List.of("u1", "u2", "u3"))
            checks.add(client.sendAsync(HttpRequest.newBuilder(proxy.uri("/me")).header("Authorization", basic(user, "slow")).build(),
                HttpResponse.BodyHandlers.ofString()));

        // Other clients, each on a new connection, one after the other for as long as no check has finished.
        List<Long> millis = new ArrayList<>();
        while (checks.stream().noneMatch(CompletableFuture::isDone) && millis.size() < 40)
        {
            long sent = System.nanoTime();
            HttpResponse<String> other = get(HttpClient.newHttpClient(), proxy.uri("/public/" + millis.size()));
            assertThat(other.statusCode()).isEqualTo(200);
            millis.add((System.nanoTime() - sent) / 1_000_000);
        }

        for (CompletableFuture<HttpResponse<String>> check : checks)
            assertThat(check.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(millis).as("other clients' requests answered while the checks ran, or the test proves nothing").hasSizeGreaterThanOrEqualTo(5);
        assertThat(millis).as("each other client's request, in ms, while three bcrypt checks of over a second ran").allMatch(ms -> ms < 700);
    }

    @Test
    void htpasswdUsersAreVouchedForAndOthersGetTheBasicChallenge() throws Exception
    {
        Path users = Files.copy(htpasswd("users"), dir.resolve("users"));
        Proxy proxy = proxy("AUTH", "basic", "AUTH_BASIC_FILE", users.toString());

        HttpResponse<String> alice = get(client, proxy.uri("/me"), "Authorization", basic("alice", "correct horse battery"));
        HttpResponse<String> bob = get(client, proxy.uri("/me"), "Authorization", basic("bob", "bob-secret"));
        HttpResponse<String> again = get(client, proxy.uri("/me"), "Authorization", basic("bob", "bob-secret"));
        HttpResponse<String> wrong = get(client, proxy.uri("/me"), "Authorization", basic("alice", "Correct horse battery"));
        HttpResponse<String> unknown = get(client, proxy.uri("/me"), "Authorization", basic("zed", "correct horse battery"));
        HttpResponse<String> none = get(client, proxy.uri("/me"));

        assertThat(alice.statusCode()).isEqualTo(200);
        assertThat(Tokens.claims(alice.headers().firstValue("x-upstream-token").orElseThrow()).get("sub").asText()).isEqualTo("alice");
        assertThat(alice.headers().firstValue("x-upstream-headers").orElseThrow()).doesNotContain("authorization");
        assertThat(bob.statusCode()).as("a cost-10 line").isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200);
        for (HttpResponse<String> refused : new HttpResponse[]{wrong, unknown, none})
        {
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().allValues("WWW-Authenticate")).containsExactly("Basic realm=\"jwt-proxy\", charset=\"UTF-8\"");
        }
        JsonNode counts = JSON.readTree(get(client, proxy.uri("/status")).body()).get("authentications");
        assertThat(counts.get("basic").get("authenticated").asLong()).isEqualTo(3);
        assertThat(counts.get("basic").get("refused").asLong()).isEqualTo(2);
    }

    @Test
    void aChangedFileIsReadAgainAndABadChangeKeepsTheUsersThereWere() throws Exception
    {
        Path users = Files.copy(htpasswd("users"), dir.resolve("users"));
        // The failures while the bad change is awaited are not under test here.
        Proxy proxy = proxy("AUTH", "basic", "AUTH_BASIC_FILE", users.toString(), "AUTH_BASIC_MAX_FAILURES", "1000000");
        assertThat(get(client, proxy.uri("/me"), "Authorization", basic("alice", "correct horse battery")).statusCode()).isEqualTo(200);

        Files.copy(htpasswd("md5"), users, StandardCopyOption.REPLACE_EXISTING);
        assertThat(awaitStatus(proxy, basic("mallory", "x"), 200, Duration.ofSeconds(3))).as("an MD5 line is never believed").isEqualTo(401);
        assertThat(get(client, proxy.uri("/me"), "Authorization", basic("alice", "correct horse battery")).statusCode())
            .as("the users before the bad change").isEqualTo(200);

        Files.copy(htpasswd("renewed"), users, StandardCopyOption.REPLACE_EXISTING);
        assertThat(awaitStatus(proxy, basic("carol", "carol-secret"), 200, Duration.ofSeconds(10))).isEqualTo(200);
        assertThat(get(client, proxy.uri("/me"), "Authorization", basic("alice", "correct horse battery")).statusCode())
            .as("alice is no longer in the file").isEqualTo(401);
    }

    /** @return the status of the first answer that is {@code wanted}, or of the last one when {@code within} has passed */
    private int awaitStatus(Proxy proxy, String authorization, int wanted, Duration within) throws Exception
    {
        long deadline = System.nanoTime() + within.toNanos();
        int status;
        do
            status = get(client, proxy.uri("/me"), "Authorization", authorization).statusCode();
        while (status != wanted && System.nanoTime() < deadline);
        return status;
    }

    @Test
    void repeatedFailuresFromOneAddressGet429WithoutThePasswordBeingChecked() throws Exception
    {
        Proxy proxy = proxy("AUTH", "basic", "AUTH_BASIC_FILE", Files.copy(htpasswd("users"), dir.resolve("users")).toString(),
            "AUTH_BASIC_MAX_FAILURES", "3");

        for (int i = 0; i < 3; i++)
            assertThat(get(client, proxy.uri("/me"), "Authorization", basic("alice", "guess " + i)).statusCode()).isEqualTo(401);
        HttpResponse<String> limited = get(client, proxy.uri("/me"), "Authorization", basic("alice", "correct horse battery"));

        assertThat(limited.statusCode()).as("even the right password, for the rest of the minute").isEqualTo(429);
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        JsonNode counts = JSON.readTree(get(client, proxy.uri("/status")).body()).get("authentications");
        assertThat(counts.get("basic").get("refused").asLong()).isEqualTo(3);
        assertThat(counts.get("basic").get("limited").asLong()).isEqualTo(1);
    }

    @Test
    void thirtyGuessesOnOneHttp2ConnectionAreCountedBeforeTheyAreChecked() throws Exception
    {
        Proxy proxy = proxy("AUTH", "basic", "AUTH_BASIC_FILE", Files.copy(htpasswd("users"), dir.resolve("users")).toString(),
            "AUTH_BASIC_MAX_FAILURES", "5");
        org.eclipse.jetty.client.HttpClient h2c = new org.eclipse.jetty.client.HttpClient(
            new org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2(new org.eclipse.jetty.http2.client.HTTP2Client()));
        h2c.start();
        proxies.track(h2c::stop);
        // 30 streams at once on one connection; bob's line has cost 10: each check takes about 100 ms, so they overlap.
        List<CompletableFuture<org.eclipse.jetty.client.ContentResponse>> guesses = new ArrayList<>();
        for (int i = 0; i < 30; i++)
        {
            String authorization = basic("bob", "guess " + i);
            guesses.add(new org.eclipse.jetty.client.CompletableResponseListener(h2c.newRequest(proxy.uri("/me"))
                .headers(headers -> headers.put("Authorization", authorization))).send());
        }
        Map<Integer, Long> statuses = guesses.stream().map(CompletableFuture::join)
            .collect(Collectors.groupingBy(org.eclipse.jetty.client.ContentResponse::getStatus, Collectors.counting()));

        assertThat(statuses.keySet()).containsOnly(401, 429);
        assertThat(statuses.get(401)).as("passwords checked").isLessThanOrEqualTo(5L);
        JsonNode counts = JSON.readTree(get(client, proxy.uri("/status")).body()).get("authentications");
        assertThat(counts.get("basic").get("refused").asLong()).isLessThanOrEqualTo(5);
    }

    @Test
    void behindATrustedBalancerOneClientsFailuresLockOutNoOtherClient() throws Exception
    {
        Proxy proxy = proxy("AUTH", "basic", "AUTH_BASIC_FILE", Files.copy(htpasswd("users"), dir.resolve("users")).toString(),
            "AUTH_BASIC_MAX_FAILURES", "3", "TRUST_FORWARDED", "true");
        String attacker = "198.51.100.9, 203.0.113.66";

        for (int i = 0; i < 3; i++)
            assertThat(get(client, proxy.uri("/me"), "Authorization", basic("alice", "guess " + i), "X-Forwarded-For", attacker).statusCode())
                .isEqualTo(401);
        HttpResponse<String> attackerAgain = get(client, proxy.uri("/me"), "Authorization", basic("alice", "guess"), "X-Forwarded-For", attacker);
        HttpResponse<String> alice = get(client, proxy.uri("/me"), "Authorization", basic("alice", "correct horse battery"), "X-Forwarded-For", "203.0.113.7");
        HttpResponse<String> aliceTypo = get(client, proxy.uri("/me"), "Authorization", basic("alice", "typo"), "X-Forwarded-For", "203.0.113.8");
        HttpResponse<String> attackerOnBob = get(client, proxy.uri("/me"), "Authorization", basic("bob", "guess"), "X-Forwarded-For", attacker);

        assertThat(attackerAgain.statusCode()).isEqualTo(429);
        assertThat(alice.statusCode()).as("another client, counted by the address the balancer names").isEqualTo(200);
        assertThat(aliceTypo.statusCode()).as("checked, not limited").isEqualTo(401);
        assertThat(attackerOnBob.statusCode()).as("the attacker's failures for alice do not bar bob").isEqualTo(401);
    }

    @Test
    void malformedCredentialsAreRefusedWithoutBeingCounted() throws Exception
    {
        Proxy proxy = proxy("AUTH", "basic", "AUTH_BASIC_FILE", Files.copy(htpasswd("users"), dir.resolve("users")).toString(),
            "AUTH_BASIC_MAX_FAILURES", "2");

        for (int i = 0; i < 20; i++)
        {
            assertThat(get(client, proxy.uri("/me"), "Authorization", "Basic !!not-base64-" + i).statusCode()).isEqualTo(401);
            assertThat(get(client, proxy.uri("/me"), "Authorization", "Basic " + Base64.getEncoder().encodeToString(("no-colon-" + i).getBytes(
                StandardCharsets.UTF_8))).statusCode()).isEqualTo(401);
        }

        assertThat(get(client, proxy.uri("/me"), "Authorization", basic("alice", "correct horse battery")).statusCode()).isEqualTo(200);
    }

    @Test
    void aFileWithALineOfAnotherHashStopsStartUpNamingTheLine()
    {
        for (String[] bad : new String[][]{{"md5", "line 3", "(user mallory) is not a bcrypt hash (MD5, htpasswd -m)"},
            {"sha", "line 1", "(user eve) is not a bcrypt hash (SHA-1, htpasswd -s)"}})
        {
            assertThatThrownBy(() -> EmbeddedConfig.load(ConfigSource.of(java.util.Map.of("AUTH", "basic", "AUTH_BASIC_FILE",
                htpasswd(bad[0]).toString()))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: AUTH_BASIC_FILE: " + bad[1] + " of \"" + htpasswd(bad[0]) + "\" " + bad[2] + "; write it with htpasswd -B");
        }
    }

    /**
     * @return a TLS context that trusts {@code ca} and presents {@code client} whatever CAs the server asks for (the JDK's own
     *         key manager offers only certificates of those)
     */
    private static SSLContext presenting(Issued ca, Issued client) throws Exception
    {
        X509ExtendedKeyManager always = new X509ExtendedKeyManager()
        {
            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket)
            {
                return "client";
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine)
            {
                return "client";
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias)
            {
                return new X509Certificate[]{client.certificate()};
            }

            @Override
            public PrivateKey getPrivateKey(String alias)
            {
                return client.key();
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers)
            {
                return new String[]{"client"};
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers)
            {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket)
            {
                return null;
            }
        };
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca.certificate());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[]{always}, trust.getTrustManagers(), null);
        return context;
    }

    @Test
    void aClientCertificateIsTheCallerItsSpiffeIdOrElseItsSubject() throws Exception
    {
        Issued ca = Certificates.authority("jwt-proxy test CA");
        Issued server = ca.server();
        Issued workload = ca.issue(Purpose.CLIENT, "spiffe://cluster.local/ns/shop/sa/checkout", "checkout.shop.svc");
        Issued person = ca.client();
        Issued stranger = Certificates.authority("another CA").client();
        Proxy proxy = proxy("AUTH", "mtls", "HTTPS_PORT", "0", "TLS_CERT_FILE", server.writeChain(dir.resolve("server.pem")).toString(),
            "TLS_KEY_FILE", server.writeKey(dir.resolve("server-key.pem"), KeyForm.PKCS8).toString(),
            "TLS_CLIENT_CA_FILE", ca.writeCertificate(dir.resolve("ca.pem")).toString());

        HttpResponse<String> spiffe = get(HttpClient.newBuilder().sslContext(ca.trustingThis(workload)).build(), proxy.httpsUri("/me"));
        HttpResponse<String> dn = get(HttpClient.newBuilder().sslContext(ca.trustingThis(person)).build(), proxy.httpsUri("/me"));
        HttpResponse<String> without = get(HttpClient.newBuilder().sslContext(ca.trustingThis(null)).build(), proxy.httpsUri("/me"));

        assertThat(spiffe.statusCode()).isEqualTo(200);
        assertThat(Tokens.claims(spiffe.headers().firstValue("x-upstream-token").orElseThrow()).get("sub").asText())
            .isEqualTo("spiffe://cluster.local/ns/shop/sa/checkout");
        assertThat(dn.statusCode()).isEqualTo(200);
        assertThat(Tokens.claims(dn.headers().firstValue("x-upstream-token").orElseThrow()).get("sub").asText())
            .isEqualTo(person.certificate().getSubjectX500Principal().getName());
        assertThat(without.statusCode()).as("no certificate, and no method with a challenge").isEqualTo(403);
        assertThatThrownBy(() -> get(HttpClient.newBuilder().sslContext(presenting(ca, stranger)).build(), proxy.httpsUri("/me")))
            .as("a certificate of another CA fails the handshake").isInstanceOf(IOException.class);
    }
}
