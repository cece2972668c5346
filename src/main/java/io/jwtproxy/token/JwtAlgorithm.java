package io.jwtproxy.token;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.keys.EllipticCurves;

/** The JWS algorithms the proxy signs with (JWT_ALG), each with the private keys it accepts. */
public enum JwtAlgorithm
{
    /** HMAC with SHA-512 and a shared secret: the seed's token, the default. */
    HS512(AlgorithmIdentifiers.HMAC_SHA512),
    /** ECDSA on P-256 with SHA-256. */
    ES256(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256),
    /** RSASSA-PKCS1-v1_5 with SHA-256, keys of 2048 bits or more. */
    RS256(AlgorithmIdentifiers.RSA_USING_SHA256),
    /** EdDSA with Ed25519 keys (RFC 8037). */
    EdDSA(AlgorithmIdentifiers.EDDSA);

    /** RFC 7518 §3.3: RSA keys for RS256 must be at least 2048 bits. */
    public static final int MIN_RSA_BITS = 2048;

    private final String joseName;

    JwtAlgorithm(String joseName)
    {
        this.joseName = joseName;
    }

    /** @return the {@code alg} header value */
    public String joseName()
    {
        return joseName;
    }

    /** @return whether tokens are signed with a private key whose public half can be published */
    public boolean asymmetric()
    {
        return this != HS512;
    }

    /**
     * @param name a JWT_ALG value, case-insensitive
     * @return the algorithm
     * @throws IllegalArgumentException naming the accepted values
     */
    public static JwtAlgorithm parse(String name)
    {
        for (JwtAlgorithm algorithm : values())
        {
            if (algorithm.name().equalsIgnoreCase(name.trim()))
                return algorithm;
        }
        throw new IllegalArgumentException("\"" + name + "\" is not one of "
            + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }

    /**
     * @param key a private key read from a file
     * @throws IllegalArgumentException saying why this algorithm cannot sign with it
     */
    public void check(PrivateKey key)
    {
        switch (this)
        {
            case RS256 ->
            {
                if (!(key instanceof RSAPrivateKey rsa))
                    throw mismatch(key);
                int bits = rsa.getModulus().bitLength();
                if (bits < MIN_RSA_BITS)
                    throw new IllegalArgumentException("the RSA key has " + bits + " bits; RS256 needs at least " + MIN_RSA_BITS);
            }
            case ES256 ->
            {
                if (!(key instanceof ECPrivateKey ec))
                    throw mismatch(key);
                if (!sameCurve(ec.getParams(), EllipticCurves.P256))
                    throw new IllegalArgumentException("the EC key is not on P-256, the curve ES256 requires");
            }
            case EdDSA ->
            {
                if (!(key instanceof EdECPrivateKey ed))
                    throw mismatch(key);
                if (!NamedParameterSpec.ED25519.getName().equalsIgnoreCase(ed.getParams().getName()))
                    throw new IllegalArgumentException("the EdDSA key is " + ed.getParams().getName() + "; only Ed25519 is supported");
            }
            case HS512 -> throw new IllegalArgumentException("HS512 signs with JWT_SECRET, not with a private key");
        }
    }

    /** @return a fresh key pair for this algorithm (demo mode and rotation) */
    public KeyPair generate()
    {
        try
        {
            KeyPairGenerator generator;
            switch (this)
            {
                case RS256 ->
                {
                    generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(MIN_RSA_BITS);
                }
                case ES256 ->
                {
                    generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(new ECGenParameterSpec("secp256r1"));
                }
                case EdDSA -> generator = KeyPairGenerator.getInstance("Ed25519");
                default -> throw new IllegalStateException(this + " has no key pair");
            }
            return generator.generateKeyPair();
        }
        catch (GeneralSecurityException x)
        {
            throw new IllegalStateException("this JVM cannot generate " + this + " keys: " + x.getMessage(), x);
        }
    }

    private IllegalArgumentException mismatch(PrivateKey key)
    {
        return new IllegalArgumentException("the key is " + key.getAlgorithm() + ", which " + this + " cannot sign with; it needs "
            + switch (this)
            {
                case RS256 -> "an RSA key";
                case ES256 -> "an EC P-256 key";
                default -> "an Ed25519 key";
            });
    }

    private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b)
    {
        return a.getCurve().equals(b.getCurve()) && a.getGenerator().equals(b.getGenerator()) && a.getOrder().equals(b.getOrder());
    }
}
