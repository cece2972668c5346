package io.jwtproxy.testing;

import java.security.Key;
import java.time.Instant;
import java.util.Date;
import java.util.function.UnaryOperator;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.JwtParserBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;

/**
 * Verifies the proxy's tokens the way an upstream would, with jjwt (not jose4j, which mints them):
 * the key is the JWK Set entry named by the token's {@code kid}.
 */
public final class IndependentJose
{
    private IndependentJose()
    {
    }

    public static JwkSet parseSet(String json)
    {
        return Jwks.setParser().build().parse(json);
    }

    /**
     * @param at the verifier's clock
     * @param rules further requirements (issuer, audience, ...)
     * @return the verified token
     * @throws io.jsonwebtoken.JwtException if it does not verify, has expired or is not yet valid at {@code at}
     */
    public static Jws<Claims> verify(String token, JwkSet keys, Instant at, UnaryOperator<JwtParserBuilder> rules)
    {
        JwtParserBuilder parser = Jwts.parser()
            .clock(() -> Date.from(at))
            .keyLocator(new LocatorAdapter<Key>()
            {
                @Override
                protected Key locate(JwsHeader header)
                {
                    for (Jwk<?> jwk : keys.getKeys())
                    {
                        if (jwk.getId().equals(header.getKeyId()))
                            return jwk.toKey();
                    }
                    throw new io.jsonwebtoken.security.InvalidKeyException("kid " + header.getKeyId() + " is not in the JWK Set");
                }
            });
        return rules.apply(parser).build().parseSignedClaims(token);
    }

    public static Jws<Claims> verify(String token, JwkSet keys, Instant at)
    {
        return verify(token, keys, at, UnaryOperator.identity());
    }

    /** @return the RFC 7638 SHA-256 thumbprint of the JWK, as jjwt computes it */
    public static String thumbprint(Jwk<?> jwk)
    {
        return jwk.thumbprint().toString();
    }
}
