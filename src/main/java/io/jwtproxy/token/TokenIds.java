package io.jwtproxy.token;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The tokens' {@code jti}: random (version 4) UUIDs, as {@link UUID#randomUUID()} makes them, but from
 * one {@link SecureRandom} per thread instead of one for the process, which every request thread
 * otherwise takes in turn.
 */
final class TokenIds implements Supplier<String>
{
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

    @Override
    public String get()
    {
        byte[] bytes = new byte[16];
        RANDOM.get().nextBytes(bytes);
        // RFC 9562 §5.4: version 4, variant 10.
        bytes[6] = (byte)((bytes[6] & 0x0f) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        long most = 0;
        long least = 0;
        for (int i = 0; i < 8; i++)
            most = (most << 8) | (bytes[i] & 0xff);
        for (int i = 8; i < 16; i++)
            least = (least << 8) | (bytes[i] & 0xff);
        return new UUID(most, least).toString();
    }
}
