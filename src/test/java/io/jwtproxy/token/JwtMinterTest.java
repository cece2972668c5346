package io.jwtproxy.token;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.jwtproxy.testing.MovingClock;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;

class JwtMinterTest
{
    private static final byte[] SEED_KEY = Tokens.SEED_SECRET.getBytes(StandardCharsets.UTF_8);

    @Test
    void reproducesTheSeedTokenByteForByte()
    {
        JwtMinter minter = new JwtMinter(SEED_KEY, "username", Clock.systemUTC(), () -> "unused");

        String token = minter.mint("f376c4b4-cf5c-4f29-8650-b7e0aba87c1e", 1688224493L, LocalDate.of(2023, 7, 1));

        assertThat(token).isEqualTo(Tokens.SEED_TOKEN);
    }

    @Test
    void seedTokenVerifiesWithTheSeedSecret()
    {
        assertThat(Tokens.verifies(Tokens.SEED_TOKEN, Tokens.SEED_SECRET)).isTrue();
        assertThat(Tokens.verifies(Tokens.SEED_TOKEN, Tokens.SEED_SECRET.replace('a', 'b'))).isFalse();
    }

    @Test
    void claimsComeFromTheClockTheIdSourceAndTheUser() throws Exception
    {
        Clock clock = Clock.fixed(Instant.parse("2026-03-04T05:06:07.890Z"), ZoneOffset.UTC);
        JwtMinter minter = new JwtMinter(SEED_KEY, "alice \"the admin\"", clock, () -> "id-1");

        String token = minter.mint();

        assertThat(Tokens.verifies(token, Tokens.SEED_SECRET)).isTrue();
        assertThat(Tokens.decoded(token, 0)).isEqualTo("{\"alg\":\"HS512\",\"typ\":\"JWT\"}");
        JsonNode claims = Tokens.claims(token);
        assertThat(claims.get("jti").asText()).isEqualTo("id-1");
        assertThat(claims.get("iat").isIntegralNumber()).as("iat is an integer NumericDate").isTrue();
        assertThat(claims.get("iat").asLong()).isEqualTo(Instant.parse("2026-03-04T05:06:07Z").getEpochSecond());
        assertThat(claims.get("payload").get("user").asText()).isEqualTo("alice \"the admin\"");
        assertThat(claims.get("payload").get("date").asText()).isEqualTo("2026-03-04");
    }

    @Test
    void anyUserSurvivesTheJsonEncoding() throws Exception
    {
        String user = "zoë \\ \"q\" /\t\u0001 \u2028 😀";
        JwtMinter minter = new JwtMinter(SEED_KEY, user, Clock.systemUTC(), () -> "id \"with\" quotes");

        String token = minter.mint();

        assertThat(Tokens.verifies(token, Tokens.SEED_SECRET)).isTrue();
        assertThat(Tokens.claims(token).get("payload").get("user").asText()).isEqualTo(user);
        assertThat(Tokens.claims(token).get("jti").asText()).isEqualTo("id \"with\" quotes");
    }

    @Test
    void theDateFollowsTheClockAcrossMidnight() throws Exception
    {
        MovingClock clock = new MovingClock(Instant.parse("2028-02-28T23:59:59Z"));
        JwtMinter minter = new JwtMinter(SEED_KEY, "u", clock, () -> "id");

        assertThat(Tokens.claims(minter.mint()).get("payload").get("date").asText()).isEqualTo("2028-02-28");
        clock.set(Instant.parse("2028-02-29T00:00:00Z"));
        assertThat(Tokens.claims(minter.mint()).get("payload").get("date").asText()).isEqualTo("2028-02-29");
        clock.set(Instant.parse("1969-12-31T23:59:59Z"));
        JsonNode claims = Tokens.claims(minter.mint());
        assertThat(claims.get("payload").get("date").asText()).isEqualTo("1969-12-31");
        assertThat(claims.get("iat").asLong()).isEqualTo(-1);
    }

    @Test
    void productionMinterGivesEachTokenItsOwnRandomUuid() throws Exception
    {
        JwtMinter minter = JwtMinter.production(JwtMinter.Claims.seed("username"), SEED_KEY, null);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20_000; i++)
        {
            String jti = Tokens.claims(minter.mint()).get("jti").asText();
            assertThat(UUID.fromString(jti).version()).as("jti %s is a random (v4) UUID", jti).isEqualTo(4);
            ids.add(jti);
        }
        assertThat(ids).hasSize(20_000);
    }

    @Test
    void optionalClaimsComeBetweenIatAndPayloadAndThePrincipalIsTheUser() throws Exception
    {
        Clock clock = Clock.fixed(Instant.parse("2026-03-04T05:06:07Z"), ZoneOffset.UTC);
        JwtMinter minter = new JwtMinter(new JwtMinter.Claims("fallback", "https://iss", "aud-1", java.time.Duration.ofSeconds(300),
            java.time.Duration.ofSeconds(30), true), SEED_KEY, clock, () -> "id");

        String token = minter.mint("alice", "DELETE", "http://up:9000/base/items/1");
        String anonymous = minter.mint(null, "GET", "http://up:9000/");

        assertThat(Tokens.verifies(token, Tokens.SEED_SECRET)).isTrue();
        long iat = Instant.parse("2026-03-04T05:06:07Z").getEpochSecond();
        assertThat(Tokens.decoded(token, 1)).isEqualTo("{\"jti\":\"id\",\"iat\":" + iat + ",\"nbf\":" + (iat - 30) + ",\"exp\":" + (iat + 300)
            + ",\"iss\":\"https://iss\",\"aud\":\"aud-1\",\"sub\":\"alice\",\"htm\":\"DELETE\",\"htu\":\"http://up:9000/base/items/1\""
            + ",\"payload\":{\"user\":\"alice\",\"date\":\"2026-03-04\"}}");
        JsonNode claims = Tokens.claims(anonymous);
        assertThat(claims.has("sub")).isFalse();
        assertThat(claims.get("payload").get("user").asText()).isEqualTo("fallback");
    }
}
