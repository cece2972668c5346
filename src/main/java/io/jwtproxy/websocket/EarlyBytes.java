package io.jwtproxy.websocket;

import java.nio.ByteBuffer;

import org.eclipse.jetty.util.BufferUtil;

/**
 * Bytes of the new protocol that were read along with the switch (right after the 101, or right
 * after the handshake), handed over by the connection switched from: read before anything else.
 */
final class EarlyBytes
{
    private ByteBuffer early;

    void keep(ByteBuffer buffer)
    {
        early = BufferUtil.copy(buffer);
    }

    /** @return how many were appended to {@code buffer} (in flush mode); 0 once none are left */
    int moveTo(ByteBuffer buffer)
    {
        if (!BufferUtil.hasContent(early))
            return 0;
        int moved = BufferUtil.append(buffer, early);
        if (!early.hasRemaining())
            early = null;
        return moved;
    }
}
