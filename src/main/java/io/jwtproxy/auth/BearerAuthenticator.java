package io.jwtproxy.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

import io.jwtproxy.config.AuthConfig;
import io.jwtproxy.http.ClientRequest;

/**
 * {@code bearer}: an OpenID Connect provider's JWT in {@code Authorization: Bearer} (RFC 6750 §2.1).
 * jose4j checks its signature against the provider's keys ({@link ProviderKeys}), with the
 * allowed algorithms only, and its {@code iss}, {@code aud}, {@code exp} and {@code nbf}; {@code sub}
 * is required. Refusals are challenged as RFC 6750 §3 says.
 */
final class BearerAuthenticator implements Authenticator
{
    private static final String SCHEME = "bearer ";
    private static final String ALGORITHM_REFUSED = "the token's algorithm is not accepted";

    private final JwtConsumer consumer;
    private final Set<String> copiedClaims;
    private final String realm;

    BearerAuthenticator(AuthConfig config, String realm)
    {
        this(config, new ProviderKeys(config.issuer(), config.jwksUrl(), config.algorithms()), realm);
    }

    BearerAuthenticator(AuthConfig config, ProviderKeys keys, String realm)
    {
        this.consumer = new JwtConsumerBuilder()
            .setVerificationKeyResolver(keys)
            .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, config.algorithms().toArray(String[]::new))
            .setExpectedIssuer(config.issuer())
            .setExpectedAudience(config.audience())
            .setRequireExpirationTime()
            .setRequireSubject()
            .setAllowedClockSkewInSeconds((int)config.clockSkew().toSeconds())
            .build();
        this.copiedClaims = config.copiedClaims();
        this.realm = realm;
    }

    @Override
    public String method()
    {
        return AuthConfig.Method.BEARER.label();
    }

    @Override
    public Verdict authenticate(ClientRequest clientRequest, String clientAddress)
    {
        String authorization = clientRequest.getHeader("Authorization");
        // The scheme is case-insensitive (RFC 9110 §11.1).
        if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith(SCHEME))
            return new Verdict.Absent();
        String token = authorization.substring(SCHEME.length()).trim();
        try
        {
            return new Verdict.Authenticated(identity(consumer.processToClaims(token)));
        }
        catch (InvalidJwtException x)
        {
            for (Throwable cause = x; cause != null; cause = cause.getCause())
            {
                if (cause instanceof ProviderKeys.ProviderUnavailableException unavailable)
                    return new Verdict.Unavailable(unavailable.getMessage());
                if (cause instanceof ProviderKeys.AlgorithmRefusedException)
                    return new Verdict.Refused(ALGORITHM_REFUSED);
            }
            return new Verdict.Refused(reason(x));
        }
        catch (MalformedClaimException x)
        {
            return new Verdict.Refused("the token's claims are malformed");
        }
    }

    private Identity identity(JwtClaims claims) throws MalformedClaimException
    {
        String email = copiedClaims.contains("email") ? claims.getStringClaimValue("email") : null;
        String name = copiedClaims.contains("name") ? claims.getStringClaimValue("name") : null;
        List<String> groups = new ArrayList<>();
        if (copiedClaims.contains("groups") && claims.hasClaim("groups"))
        {
            if (claims.isClaimValueStringList("groups"))
                groups.addAll(claims.getStringListClaimValue("groups"));
            else
                groups.add(claims.getStringClaimValue("groups"));
        }
        return new Identity(claims.getSubject(), email, name, groups);
    }

    /** What was wrong, in words of the proxy's own: nothing of the token itself goes back or into the log. */
    private static String reason(InvalidJwtException x)
    {
        if (x.hasExpired())
            return "the token has expired";
        if (x.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || x.hasErrorCode(ErrorCodes.AUDIENCE_MISSING))
            return "the token is for another audience";
        if (x.hasErrorCode(ErrorCodes.ISSUER_INVALID) || x.hasErrorCode(ErrorCodes.ISSUER_MISSING))
            return "the token is from another issuer";
        if (x.hasErrorCode(ErrorCodes.NOT_YET_VALID))
            return "the token is not valid yet";
        if (x.hasErrorCode(ErrorCodes.SIGNATURE_INVALID))
            return "the token's signature does not verify";
        if (x.hasErrorCode(ErrorCodes.SUBJECT_MISSING))
            return "the token has no sub";
        if (x.hasErrorCode(ErrorCodes.EXPIRATION_MISSING))
            return "the token has no exp";
        String message = String.valueOf(x.getMessage());
        if (message.contains("not a permitted algorithm"))
            return ALGORITHM_REFUSED;
        if (message.contains("no key of the provider"))
            return "the token's signing key is unknown";
        return "the token is not a valid signed JWT";
    }

    @Override
    public boolean mayWait(ClientRequest clientRequest)
    {
        // The issuer's keys may have to be fetched.
        String authorization = clientRequest.getHeader("Authorization");
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
    }

    @Override
    public String challenge(Verdict verdict)
    {
        if (verdict instanceof Verdict.Refused refused)
            return "Bearer realm=\"" + realm + "\", error=\"invalid_token\", error_description=\"" + refused.reason() + "\"";
        return "Bearer realm=\"" + realm + "\"";
    }

    @Override
    public List<String> credentialFields()
    {
        return List.of("Authorization");
    }
}
