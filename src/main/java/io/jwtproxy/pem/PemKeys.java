package io.jwtproxy.pem;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.List;

/**
 * Private keys in PEM files, unencrypted, for RSA, EC and Ed25519 keys, in the forms operators have:
 * PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}, what {@code openssl genpkey} and cert-manager write),
 * PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) and SEC1 ({@code BEGIN EC PRIVATE KEY}, what certbot and
 * {@code openssl ecparam -genkey} write); and the public key of each, derived from the private one
 * so that one file is all an operator provides.
 */
public final class PemKeys
{
    private static final String PKCS8 = "PRIVATE KEY";
    private static final String PKCS1 = "RSA PRIVATE KEY";
    private static final String SEC1 = "EC PRIVATE KEY";
    /** The [0] (EXPLICIT) element of a SEC1 key: the curve. */
    private static final int SEC1_PARAMETERS = 0xa0;

    private PemKeys()
    {
    }

    /**
     * @return the private key in the file
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException saying what is wrong with its content
     */
    public static PrivateKey read(Path file) throws IOException
    {
        return parse(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static PrivateKey parse(String pem)
    {
        for (Pem.Block block : Pem.blocks(pem))
        {
            if (block.label().equals("ENCRYPTED PRIVATE KEY") || block.encrypted() && block.label().endsWith(PKCS8))
                throw new IllegalArgumentException("holds an encrypted key; decrypt it (openssl pkey -in encrypted.pem -out key.pem)");
            switch (block.label())
            {
                case PKCS8:
                    return pkcs8(block.der());
                case PKCS1:
                    return pkcs8(Der.encode(Der.SEQUENCE, Der.encode(Der.INTEGER, new byte[]{0}),
                        Der.encode(Der.SEQUENCE, Der.RSA_ENCRYPTION, Der.encode(Der.NULL)), Der.encode(Der.OCTET_STRING, block.der())));
                case SEC1:
                    return pkcs8(Der.encode(Der.SEQUENCE, Der.encode(Der.INTEGER, new byte[]{0}),
                        Der.encode(Der.SEQUENCE, Der.EC_PUBLIC_KEY, curve(block.der())), Der.encode(Der.OCTET_STRING, block.der())));
                default:
                    // EC PARAMETERS before a SEC1 key, a certificate in the same file: not the key.
            }
        }
        throw new IllegalArgumentException("holds no PEM private key (PKCS#8 '-----BEGIN PRIVATE KEY-----', PKCS#1 '-----BEGIN RSA PRIVATE KEY-----' "
            + "or SEC1 '-----BEGIN EC PRIVATE KEY-----')");
    }

    /** @return the curve's OID, from a SEC1 key's parameters */
    private static byte[] curve(byte[] sec1)
    {
        byte[] parameters;
        try
        {
            parameters = Der.element(sec1, SEC1_PARAMETERS);
        }
        catch (IllegalArgumentException x)
        {
            throw new IllegalArgumentException("its EC PRIVATE KEY block is not a SEC1 key: " + x.getMessage());
        }
        if (parameters == null)
            throw new IllegalArgumentException("its EC PRIVATE KEY block names no curve; write it with the curve (openssl ec -in old.pem -out key.pem)");
        return Der.value(parameters);
    }

    private static PrivateKey pkcs8(byte[] der)
    {
        for (String type : List.of("RSA", "EC", "Ed25519"))
        {
            try
            {
                return KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
            }
            catch (GeneralSecurityException x)
            {
                // Not this type: try the next.
            }
        }
        throw new IllegalArgumentException("its key is neither RSA, EC nor Ed25519, or is damaged");
    }

    /** @return the key as a PKCS#8 PEM document */
    public static String format(PrivateKey key)
    {
        return Pem.format(PKCS8, key.getEncoded());
    }

    /** @return the public half of the private key */
    public static PublicKey publicKey(PrivateKey key)
    {
        try
        {
            if (key instanceof RSAPrivateCrtKey rsa)
                return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            if (key instanceof ECPrivateKey ec)
            {
                ECParameterSpec params = ec.getParams();
                ECPoint w = multiply(params, params.getGenerator(), ec.getS());
                return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, params));
            }
            if (key instanceof EdECPrivateKey ed && ed.getBytes().isPresent())
            {
                // RFC 8032 §5.1.5: the public key is computed from the 32 private bytes; the JDK's
                // generator does exactly that with whatever its random source gives it.
                byte[] seed = ed.getBytes().get();
                KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
                generator.initialize(NamedParameterSpec.ED25519, new FixedBytes(seed));
                KeyPair pair = generator.generateKeyPair();
                return pair.getPublic();
            }
        }
        catch (GeneralSecurityException x)
        {
            throw new IllegalArgumentException("cannot derive its public key: " + x.getMessage(), x);
        }
        throw new IllegalArgumentException("cannot derive the public key of a " + key.getAlgorithm() + " key in this form");
    }

    // Double-and-add over affine coordinates. Runs once per key at start-up, on a key the proxy
    // already holds, so its timing reveals nothing an attacker can measure.
    private static ECPoint multiply(ECParameterSpec params, ECPoint point, BigInteger scalar)
    {
        BigInteger p = ((ECFieldFp)params.getCurve().getField()).getP();
        BigInteger a = params.getCurve().getA();
        ECPoint result = ECPoint.POINT_INFINITY;
        for (int i = scalar.bitLength() - 1; i >= 0; i--)
        {
            result = add(result, result, p, a);
            if (scalar.testBit(i))
                result = add(result, point, p, a);
        }
        return result;
    }

    private static ECPoint add(ECPoint one, ECPoint two, BigInteger p, BigInteger a)
    {
        if (one.equals(ECPoint.POINT_INFINITY))
            return two;
        if (two.equals(ECPoint.POINT_INFINITY))
            return one;
        BigInteger x1 = one.getAffineX();
        BigInteger y1 = one.getAffineY();
        BigInteger x2 = two.getAffineX();
        BigInteger y2 = two.getAffineY();
        BigInteger slope;
        if (x1.equals(x2))
        {
            if (y1.add(y2).mod(p).signum() == 0)
                return ECPoint.POINT_INFINITY;
            slope = x1.pow(2).multiply(BigInteger.valueOf(3)).add(a).multiply(y1.shiftLeft(1).modInverse(p)).mod(p);
        }
        else
        {
            slope = y2.subtract(y1).multiply(x2.subtract(x1).modInverse(p)).mod(p);
        }
        BigInteger x3 = slope.pow(2).subtract(x1).subtract(x2).mod(p);
        BigInteger y3 = slope.multiply(x1.subtract(x3)).subtract(y1).mod(p);
        return new ECPoint(x3, y3);
    }

    /** Gives the generator the private key's bytes instead of random ones. */
    private static final class FixedBytes extends SecureRandom
    {
        private final byte[] bytes;

        private FixedBytes(byte[] bytes)
        {
            super(new byte[0]);
            this.bytes = bytes;
        }

        @Override
        public void nextBytes(byte[] out)
        {
            if (out.length != bytes.length)
                throw new IllegalStateException("the generator asked for " + out.length + " bytes, not " + bytes.length);
            System.arraycopy(bytes, 0, out, 0, out.length);
        }
    }
}
