package io.jwtproxy.pem;

import java.io.ByteArrayOutputStream;

/**
 * The little of DER (X.690) needed to turn a traditional private key (PKCS#1 RSA, SEC1 EC) into
 * the PKCS#8 form the JDK reads: writing a tag-length-value, and finding an element of a sequence.
 */
final class Der
{
    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OBJECT_IDENTIFIER = 0x06;
    static final int SEQUENCE = 0x30;

    /** rsaEncryption, 1.2.840.113549.1.1.1 */
    static final byte[] RSA_ENCRYPTION = {0x06, 0x09, 0x2a, (byte)0x86, 0x48, (byte)0x86, (byte)0xf7, 0x0d, 0x01, 0x01, 0x01};
    /** id-ecPublicKey, 1.2.840.10045.2.1 */
    static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte)0x86, 0x48, (byte)0xce, 0x3d, 0x02, 0x01};

    private Der()
    {
    }

    /** @return the tag-length-value of {@code parts}, concatenated */
    static byte[] encode(int tag, byte[]... parts)
    {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts)
            content.writeBytes(part);
        byte[] value = content.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = value.length;
        if (length < 0x80)
        {
            out.write(length);
        }
        else
        {
            int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
                out.write(length >>> shift);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    /**
     * @return the whole element (tag, length and value) tagged {@code tag} directly inside the
     *         sequence {@code der}, or null if there is none
     * @throws IllegalArgumentException if {@code der} is not a well-formed sequence
     */
    static byte[] element(byte[] der, int tag)
    {
        int[] outer = header(der, 0);
        if ((der[0] & 0xff) != SEQUENCE)
            throw new IllegalArgumentException("not a DER sequence");
        int position = outer[0];
        int end = position + outer[1];
        while (position < end)
        {
            int[] inner = header(der, position);
            int next = inner[0] + inner[1];
            if ((der[position] & 0xff) == tag)
                return java.util.Arrays.copyOfRange(der, position, next);
            position = next;
        }
        return null;
    }

    /** @return the value of the element that is the whole of {@code der} (a context tag's content, say) */
    static byte[] value(byte[] der)
    {
        int[] header = header(der, 0);
        return java.util.Arrays.copyOfRange(der, header[0], header[0] + header[1]);
    }

    /** @return {where the value of the element at {@code at} starts, its length} */
    private static int[] header(byte[] der, int at)
    {
        if (at + 2 > der.length)
            throw new IllegalArgumentException("truncated DER");
        int first = der[at + 1] & 0xff;
        int start = at + 2;
        int length = first;
        if (first >= 0x80)
        {
            int bytes = first & 0x7f;
            if (bytes == 0 || bytes > 3 || start + bytes > der.length)
                throw new IllegalArgumentException("a DER length this key cannot have");
            length = 0;
            for (int i = 0; i < bytes; i++)
                length = length << 8 | der[start + i] & 0xff;
            start += bytes;
        }
        if (start + length > der.length)
            throw new IllegalArgumentException("truncated DER");
        return new int[]{start, length};
    }
}
