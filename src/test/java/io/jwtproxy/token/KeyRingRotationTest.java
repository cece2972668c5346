package io.jwtproxy.token;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jsonwebtoken.security.JwkSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.testing.IndependentJose;
import io.jwtproxy.pem.PemKeys;
import io.jwtproxy.testing.MovingClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Rotation with a clock the test moves: keys rotate every hour, verifiers may cache the JWK Set
 * for 10 minutes, tokens live 5 minutes and verifiers allow 30 s of skew.
 */
class KeyRingRotationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ROTATE_EVERY = Duration.ofHours(1);
    private static final Duration MAX_AGE = Duration.ofMinutes(10);
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Duration SKEW = Duration.ofSeconds(30);
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final Instant START = Instant.parse("2026-01-01T00:00:07Z");

    @TempDir
    Path directory;
    private final MovingClock clock = new MovingClock(START);
    private final List<KeyRing> rings = new ArrayList<>();

    @AfterEach
    void closeRings()
    {
        rings.forEach(KeyRing::close);
    }

    private KeyRing ring() throws IOException
    {
        KeyRing ring = KeyRing.directory(JwtAlgorithm.ES256, directory, ROTATE_EVERY, MAX_AGE, TTL.plus(SKEW), clock);
        rings.add(ring);
        return ring;
    }

    private JwtMinter minter(KeyRing ring)
    {
        return new JwtMinter(new JwtMinter.Claims("u", "https://proxy.test", null, TTL, SKEW, false), ring, clock,
            () -> java.util.UUID.randomUUID().toString());
    }

    private static String jwks(KeyRing ring) throws IOException
    {
        return JSON.writeValueAsString(Map.of("keys", ring.published().stream().map(SigningKey::publicJwk).toList()));
    }

    private record Token(String value, String kid, Instant issuedAt, Instant expires) {}

    private record Snapshot(Instant at, JwkSet keys, Set<String> kids) {}

    @Test
    void everyTokenVerifiesAgainstEverySetServedDuringItsLifetimeAcrossTwoRotations() throws Exception
    {
        KeyRing ring = ring();
        KeyRing replica = ring();
        JwtMinter minter = minter(ring);
        List<Token> tokens = new ArrayList<>();
        List<Snapshot> snapshots = new ArrayList<>();
        Set<String> activeKids = new LinkedHashSet<>();
        Map<String, Instant> firstPublished = new HashMap<>();

        for (Instant end = START.plus(ROTATE_EVERY.multipliedBy(2)).plus(Duration.ofMinutes(30)); clock.instant().isBefore(end); clock.advance(STEP))
        {
            ring.refresh();
            replica.refresh();
            assertThat(replica.active().kid()).as("a second proxy sharing the directory signs with the same key at %s", clock.instant())
                .isEqualTo(ring.active().kid());
            String set = jwks(ring);
            JwkSet parsed = IndependentJose.parseSet(set);
            Set<String> kids = new LinkedHashSet<>();
            parsed.getKeys().forEach(jwk -> kids.add(jwk.getId()));
            kids.forEach(kid -> firstPublished.putIfAbsent(kid, clock.instant()));
            snapshots.add(new Snapshot(clock.instant(), parsed, kids));

            String token = minter.mint();
            String kid = ring.active().kid();
            activeKids.add(kid);
            tokens.add(new Token(token, kid, clock.instant(), clock.instant().plus(TTL)));
        }

        assertThat(activeKids).as("two full rotations: three keys signed in turn").hasSizeGreaterThanOrEqualTo(3);
        for (Token token : tokens)
        {
            // A verifier may have fetched the set up to a cache lifetime before the token was minted,
            // or at any moment until it expires.
            for (Snapshot snapshot : snapshots)
            {
                if (snapshot.at().isBefore(token.issuedAt().minus(MAX_AGE)) || !snapshot.at().isBefore(token.expires()))
                    continue;
                assertThat(snapshot.kids()).as("set served at %s holds key %s of the token minted at %s", snapshot.at(), token.kid(), token.issuedAt())
                    .contains(token.kid());
                Instant verifiedAt = snapshot.at().isBefore(token.issuedAt()) ? token.issuedAt() : snapshot.at();
                assertThatNoException().as("token of %s verified at %s with the set of %s", token.issuedAt(), verifiedAt, snapshot.at())
                    .isThrownBy(() -> IndependentJose.verify(token.value(), snapshot.keys(), verifiedAt,
                        parser -> parser.requireIssuer("https://proxy.test")));
            }
        }
        for (String kid : activeKids)
        {
            Instant firstToken = tokens.stream().filter(t -> t.kid().equals(kid)).map(Token::issuedAt).min(Instant::compareTo).orElseThrow();
            Instant lastExpiry = tokens.stream().filter(t -> t.kid().equals(kid)).map(Token::expires).max(Instant::compareTo).orElseThrow();
            if (!firstToken.equals(START))
                assertThat(firstPublished.get(kid)).as("key %s published a whole cache lifetime before its first token", kid)
                    .isBeforeOrEqualTo(firstToken.minus(MAX_AGE));
            List<Instant> served = snapshots.stream().filter(s -> s.kids().contains(kid)).map(Snapshot::at).toList();
            Instant lastServed = served.get(served.size() - 1);
            Instant end = snapshots.get(snapshots.size() - 1).at();
            if (lastExpiry.isBefore(end))
                assertThat(lastServed).as("key %s still published when its last token expired", kid).isAfterOrEqualTo(lastExpiry.minus(STEP));
            if (lastExpiry.plus(SKEW).plus(STEP.multipliedBy(2)).isBefore(end))
                assertThat(lastServed).as("key %s leaves the set once its last token expired (+skew)", kid)
                    .isBefore(lastExpiry.plus(SKEW).plus(STEP.multipliedBy(2)));
        }
        try (Stream<Path> files = Files.list(directory))
        {
            List<Path> keys = files.filter(f -> f.getFileName().toString().endsWith(".pem")).toList();
            assertThat(keys).as("retired keys' files are deleted: the active and the next remain").hasSizeBetween(2, 3);
            for (Path key : keys)
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).as("%s mode", key).isEqualTo("rw-------");
        }
    }

    @Test
    void aRestartedProxyContinuesTheSchedule() throws Exception
    {
        KeyRing first = ring();
        clock.advance(Duration.ofMinutes(70));
        first.refresh();
        String active = first.active().kid();
        String next = first.next().kid();
        first.close();

        KeyRing restarted = ring();

        assertThat(restarted.active().kid()).isEqualTo(active);
        assertThat(restarted.next().kid()).isEqualTo(next);
    }

    @Test
    void aRotateFileSchedulesANewKeyOneCacheLifetimeAhead() throws Exception
    {
        KeyRing ring = ring();
        String before = ring.active().kid();
        Files.createFile(directory.resolve(KeyRing.ROTATE_REQUEST));

        clock.advance(Duration.ofSeconds(5));
        ring.refresh();

        assertThat(directory.resolve(KeyRing.ROTATE_REQUEST)).as("the request is consumed").doesNotExist();
        assertThat(ring.active().kid()).as("still signing with the published key").isEqualTo(before);
        SigningKey next = ring.next();
        assertThat(next.activeFrom()).isBetween(clock.instant().plus(MAX_AGE), clock.instant().plus(MAX_AGE).plusSeconds(1));
        assertThat(ring.published()).extracting(SigningKey::kid).contains(before, next.kid());

        clock.set(next.activeFrom());
        ring.refresh();
        assertThat(ring.active().kid()).isEqualTo(next.kid());
        assertThat(ring.published()).extracting(SigningKey::kid).as("the old key stays for its tokens").contains(before);
    }

    @Test
    void anUnusableFileIsSkippedAndTheRestKeepsSigning() throws Exception
    {
        KeyRing ring = ring();
        String active = ring.active().kid();
        Files.writeString(directory.resolve("key-20250101T000000Z.pem"), "not a key");
        Files.writeString(directory.resolve(KeyRing.fileName(START.minusSeconds(60))),
            PemKeys.format(JwtAlgorithm.RS256.generate().getPrivate()));

        ring.refresh();

        assertThat(ring.active().kid()).isEqualTo(active);
        assertThat(ring.published()).hasSize(2);
    }

    @Test
    void aReadOnlyDirectoryLaidOutAsAKubernetesSecretSignsWithTheKeyWhoseTimeHasComeAndWritesNothing() throws Exception
    {
        // A Secret volume: the files live in a timestamped directory, reached through ..data and a link per key.
        Instant nextAt = START.plus(Duration.ofMinutes(20));
        Path data = Files.createDirectory(directory.resolve("..2026_01_01_00_00_00.1"));
        for (Instant at : List.of(START.minusSeconds(60), nextAt))
        {
            Files.writeString(data.resolve(KeyRing.fileName(at)), PemKeys.format(JwtAlgorithm.ES256.generate().getPrivate()));
            Files.createSymbolicLink(directory.resolve(KeyRing.fileName(at)), Path.of("..data", KeyRing.fileName(at)));
        }
        Files.createSymbolicLink(directory.resolve("..data"), data.getFileName());
        Files.createFile(directory.resolve(KeyRing.ROTATE_REQUEST));
        List<Path> before = listing();
        KeyRing ring = KeyRing.readOnly(JwtAlgorithm.ES256, directory, TTL.plus(SKEW), clock);
        rings.add(ring);
        SigningKey first = ring.active();
        SigningKey second = ring.next();

        assertThat(first.activeFrom()).isEqualTo(START.minusSeconds(60));
        assertThat(second.activeFrom()).isEqualTo(nextAt);
        assertThat(ring.published()).containsExactly(first, second);
        clock.set(nextAt);
        ring.refresh();
        assertThat(ring.active()).as("the next key signs when its time comes").isEqualTo(second);
        assertThat(ring.published()).as("the retired one stays for its tokens").containsExactly(first, second);
        clock.set(nextAt.plus(TTL).plus(SKEW));
        ring.refresh();
        assertThat(ring.published()).as("and leaves once they have expired").containsExactly(second);
        assertThat(listing()).as("nothing generated, consumed or deleted").isEqualTo(before);
    }

    @Test
    void aReadOnlyDirectoryWithoutAKeyIsRefused() throws Exception
    {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyRing.readOnly(JwtAlgorithm.ES256, directory, TTL, clock))
            .isInstanceOf(IOException.class).hasMessageContaining("holds no key");
        assertThat(listing()).isEmpty();
    }

    @Test
    void theBackgroundRefreshTakesARotateRequestAndItsThreadHasEndedWhenCloseReturns() throws Exception
    {
        KeyRing ring = ring();
        int published = ring.published().size();
        Set<Thread> others = keyThreads();
        ring.start(Duration.ofMillis(20));
        Set<Thread> started = keyThreads();
        started.removeAll(others);
        assertThat(started).as("the refresh's own thread").hasSize(1);

        Files.createFile(directory.resolve(KeyRing.ROTATE_REQUEST));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(directory.resolve(KeyRing.ROTATE_REQUEST)) && System.nanoTime() < deadline)
            Thread.sleep(10);
        assertThat(directory.resolve(KeyRing.ROTATE_REQUEST)).as("consumed by a refresh in the background").doesNotExist();

        ring.close();
        // What Tomcat checks right after an undeploy.
        assertThat(started.iterator().next().isAlive()).as("the refresh thread after close()").isFalse();
        assertThat(ring.published()).as("the requested key, published ahead").hasSize(published + 1);
    }

    private static Set<Thread> keyThreads()
    {
        Set<Thread> threads = new HashSet<>(Thread.getAllStackTraces().keySet());
        threads.removeIf(thread -> !thread.getName().equals("jwt-proxy-keys"));
        return threads;
    }

    private List<Path> listing() throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.sorted().toList();
        }
    }
}
