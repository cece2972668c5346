package io.jwtproxy.token;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Map;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.HashUtil;
import org.jose4j.lang.JoseException;

import io.jwtproxy.pem.PemKeys;

/**
 * A private key the proxy signs with and what it publishes for it.
 *
 * @param kid the RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key
 * @param algorithm the algorithm it signs with
 * @param privateKey the signing key (never published, logged or serialized)
 * @param publicKey its public half
 * @param activeFrom from when it signs (until the next key's activeFrom)
 */
public record SigningKey(String kid, JwtAlgorithm algorithm, PrivateKey privateKey, PublicKey publicKey, Instant activeFrom)
{
    /**
     * @return the key, its public half derived and the pair proven to sign and verify
     * @throws IllegalArgumentException if the algorithm cannot sign with it
     */
    public static SigningKey of(JwtAlgorithm algorithm, PrivateKey privateKey, Instant activeFrom)
    {
        algorithm.check(privateKey);
        PublicKey publicKey = PemKeys.publicKey(privateKey);
        try
        {
            String kid = PublicJsonWebKey.Factory.newPublicJwk(publicKey).calculateBase64urlEncodedThumbprint(HashUtil.SHA_256);
            SigningKey key = new SigningKey(kid, algorithm, privateKey, publicKey, activeFrom);
            JsonWebSignature verifier = new JsonWebSignature();
            verifier.setCompactSerialization(key.sign("{}".getBytes(StandardCharsets.UTF_8)));
            verifier.setKey(publicKey);
            if (!verifier.verifySignature())
                throw new IllegalArgumentException("its derived public key does not verify its signatures");
            return key;
        }
        catch (JoseException x)
        {
            throw new IllegalArgumentException("jose4j cannot use it for " + algorithm + ": " + x.getMessage(), x);
        }
    }

    /**
     * @param claims the JWS payload
     * @return the compact serialization, header {@code {"alg", "typ":"JWT", "kid"}}
     */
    public String sign(byte[] claims) throws JoseException
    {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(algorithm.joseName());
        jws.setHeader("typ", "JWT");
        jws.setKeyIdHeaderValue(kid);
        jws.setPayloadBytes(claims);
        jws.setKey(privateKey);
        return jws.getCompactSerialization();
    }

    /** @return the RFC 7517 JWK of the public key, with {@code kid}, {@code alg} and {@code use} */
    public Map<String, Object> publicJwk()
    {
        try
        {
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(publicKey);
            jwk.setKeyId(kid);
            jwk.setAlgorithm(algorithm.joseName());
            jwk.setUse("sig");
            return jwk.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
        }
        catch (JoseException x)
        {
            throw new IllegalStateException(x);
        }
    }

    @Override
    public String toString()
    {
        return algorithm + " key " + kid + " active from " + activeFrom;
    }
}
