package io.jwtproxy.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Checks tokens without jose4j: the JDK's HMAC-SHA512 over the signing input, as RFC 7515 defines it. */
public final class Tokens
{
    public static final String SEED_SECRET = "a9ddbcaba8c0ac1a0a812dc0c2f08514b23f2db0a68343cb8199ebb38a6d91e4ebfb378e22ad39c2d01d0b4ec9c34aa91056862ddace3fbbd6852ee60c36acbf";
    public static final String SEED_TOKEN = "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9"
        + ".eyJqdGkiOiJmMzc2YzRiNC1jZjVjLTRmMjktODY1MC1iN2UwYWJhODdjMWUiLCJpYXQiOjE2ODgyMjQ0OTMsInBheWxvYWQiOnsidXNlciI6InVzZXJuYW1lIiwiZGF0ZSI6IjIwMjMtMDctMDEifX0"
        + ".aj8AwCNWNizQFJtEoH4M5EV-8-oP1NU3vQZe3T9QHfdrhwe9dN1KQCDy9_UeApDQehGRo5gRiBDMakwKpw4Cnw";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Tokens()
    {
    }

    /** @return true if the token's HS512 signature is right for {@code secret}'s UTF-8 bytes */
    public static boolean verifies(String token, String secret)
    {
        String[] parts = token.split("\\.");
        if (parts.length != 3)
            return false;
        try
        {
            Mac mac = Mac.getInstance("HmacSHA512");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
            byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[2]));
        }
        catch (GeneralSecurityException | IllegalArgumentException x)
        {
            return false;
        }
    }

    public static JsonNode header(String token) throws Exception
    {
        return part(token, 0);
    }

    public static JsonNode claims(String token) throws Exception
    {
        return part(token, 1);
    }

    public static String decoded(String token, int part)
    {
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[part]), StandardCharsets.UTF_8);
    }

    private static JsonNode part(String token, int index) throws Exception
    {
        return JSON.readTree(decoded(token, index));
    }
}
