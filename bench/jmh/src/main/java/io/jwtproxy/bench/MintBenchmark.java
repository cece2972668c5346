package io.jwtproxy.bench;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.jwtproxy.token.JwtAlgorithm;
import io.jwtproxy.token.JwtMinter;
import io.jwtproxy.token.KeyRing;
import io.jwtproxy.token.SigningKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of the token every forwarded request carries: the whole production minter (random
 * {@code jti}, clock, claims, HS512 signature), its {@code jti} source alone, and the public-key
 * algorithms with every optional claim. Run it with one
 * thread and with two ({@code -t 2}) to see contention on shared state.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MintBenchmark
{
    // The seed's published test secret (64 bytes as UTF-8 would do; this one is 128).
    private static final byte[] SECRET = ("a9ddbcaba8c0ac1a0a812dc0c2f08514b23f2db0a68343cb8199ebb38a6d91e4"
        + "ebfb378e22ad39c2d01d0b4ec9c34aa91056862ddace3fbbd6852ee60c36acbf").getBytes(StandardCharsets.US_ASCII);

    private JwtMinter production;
    private JwtMinter fixedId;
    private JwtMinter es256;
    private JwtMinter edDsa;
    private JwtMinter rs256;

    @Setup
    public void setUp()
    {
        production = JwtMinter.forSecret(SECRET, "username");
        fixedId = new JwtMinter(SECRET, "username", Clock.systemUTC(), () -> "f376c4b4-cf5c-4f29-8650-b7e0aba87c1e");
        es256 = asymmetric(JwtAlgorithm.ES256);
        edDsa = asymmetric(JwtAlgorithm.EdDSA);
        rs256 = asymmetric(JwtAlgorithm.RS256);
    }

    // With every optional claim, as an operator of public-key tokens would run it.
    private static JwtMinter asymmetric(JwtAlgorithm algorithm)
    {
        KeyRing keys = KeyRing.fixed(SigningKey.of(algorithm, algorithm.generate().getPrivate(), Instant.EPOCH), Clock.systemUTC());
        JwtMinter.Claims claims = new JwtMinter.Claims("username", "https://proxy.example.com", "orders", Duration.ofMinutes(5),
            Duration.ofSeconds(30), true);
        return new JwtMinter(claims, keys, Clock.systemUTC(), () -> UUID.randomUUID().toString());
    }

    /** ES256 (P-256), signed by jose4j with the JDK's provider. */
    @Benchmark
    public String mintEs256()
    {
        return es256.mint(null, "GET", "http://127.0.0.1:9000/orders/7");
    }

    /** EdDSA (Ed25519). */
    @Benchmark
    public String mintEdDsa()
    {
        return edDsa.mint(null, "GET", "http://127.0.0.1:9000/orders/7");
    }

    /** RS256 with a 2048-bit key. */
    @Benchmark
    public String mintRs256()
    {
        return rs256.mint(null, "GET", "http://127.0.0.1:9000/orders/7");
    }

    /** What the proxy pays per request. */
    @Benchmark
    public String mint()
    {
        return production.mint();
    }

    /** The same without the random id: claims, encoding and signature only. */
    @Benchmark
    public String mintFixedId()
    {
        return fixedId.mint();
    }

    /** The JDK's random UUID, what the first version used as {@code jti}. */
    @Benchmark
    public UUID randomUuid()
    {
        return UUID.randomUUID();
    }
}
