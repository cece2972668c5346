package io.jwtproxy.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An address block, {@code 10.0.0.0/8} or {@code fd00::/8} (a bare address is a block of one), and
 * whether a peer's address lies in it. IPv4 peers seen as IPv4-mapped IPv6 addresses match IPv4 blocks.
 */
public final class Cidr
{
    private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text)
    {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /** @throws IllegalArgumentException saying why {@code text} is not an address block */
    public static Cidr parse(String text)
    {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        // A literal only: InetAddress would otherwise look a host name up.
        if (!LITERAL.matcher(address).matches() || (address.indexOf(':') < 0 && address.chars().filter(c -> c == '.').count() != 3))
            throw new IllegalArgumentException("\"" + trimmed + "\" is not an IP address or address/prefix");
        byte[] bytes;
        try
        {
            bytes = InetAddress.getByName(address).getAddress();
        }
        catch (UnknownHostException x)
        {
            throw new IllegalArgumentException("\"" + trimmed + "\" is not an IP address or address/prefix");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0)
        {
            try
            {
                prefix = Integer.parseInt(trimmed.substring(slash + 1));
            }
            catch (NumberFormatException x)
            {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits)
                throw new IllegalArgumentException("\"" + trimmed + "\" has a prefix length outside 0-" + bits);
        }
        for (int bit = prefix; bit < bits; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0)
                throw new IllegalArgumentException("\"" + trimmed + "\" has bits set past its prefix length (the block's address is its first one)");
        }
        return new Cidr(bytes, prefix, trimmed);
    }

    /** @param address a peer's address as the container reports it ({@code getRemoteAddr()}) */
    public boolean contains(String address)
    {
        byte[] peer;
        try
        {
            if (address == null || !LITERAL.matcher(address.replace("[", "").replace("]", "")).matches())
                return false;
            peer = InetAddress.getByName(address.replace("[", "").replace("]", "")).getAddress();
        }
        catch (UnknownHostException x)
        {
            return false;
        }
        if (peer.length != network.length)
            return false;
        for (int bit = 0; bit < prefix; bit++)
        {
            int mask = 0x80 >>> (bit % 8);
            if ((peer[bit / 8] & mask) != (network[bit / 8] & mask))
                return false;
        }
        return true;
    }

    @Override
    public String toString()
    {
        return text;
    }
}
