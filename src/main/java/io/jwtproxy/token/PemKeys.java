package io.jwtproxy.token;

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
import java.util.Base64;
import java.util.List;

/**
 * Private keys in PEM files: unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), what
 * {@code openssl genpkey} writes, for RSA, EC and Ed25519 keys; and the public key of each,
 * derived from the private one so that one file is all an operator provides.
 */
public final class PemKeys
{
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

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
        int begin = pem.indexOf(BEGIN);
        int end = pem.indexOf(END);
        if (begin < 0 || end < begin)
        {
            String hint = pem.contains("ENCRYPTED PRIVATE KEY") ? "an encrypted key; decrypt it"
                : pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY") ? "a traditional (PKCS#1/SEC1) key; convert it"
                : "no PEM private key";
            throw new IllegalArgumentException("holds " + hint + " (openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem); "
                + "an unencrypted PKCS#8 '" + BEGIN + "' block is required");
        }
        byte[] der;
        try
        {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN.length(), end));
        }
        catch (IllegalArgumentException x)
        {
            throw new IllegalArgumentException("its PEM block is not valid base64");
        }
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
        throw new IllegalArgumentException("its PKCS#8 key is neither RSA, EC nor Ed25519");
    }

    /** @return the key as a PKCS#8 PEM document */
    public static String format(PrivateKey key)
    {
        return BEGIN + "\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(key.getEncoded()) + "\n" + END + "\n";
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
