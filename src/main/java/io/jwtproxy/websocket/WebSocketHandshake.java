package io.jwtproxy.websocket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collections;
import java.util.Locale;

import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.http.Headers;

/**
 * Which requests are WebSocket handshakes (RFC 6455 §4.1), the only requests the proxy upgrades:
 * {@code Connection} names {@code upgrade} and {@code Upgrade} is {@code websocket}. Any other
 * {@code Upgrade} is not acted on (RFC 9110 §7.8) and goes upstream as a plain request without it.
 */
public final class WebSocketHandshake
{
    private WebSocketHandshake()
    {
    }

    /** @return whether the client asks to switch to the WebSocket protocol */
    public static boolean requested(ClientRequest clientRequest)
    {
        String upgrade = clientRequest.getHeader("Upgrade");
        return upgrade != null && upgrade.trim().equalsIgnoreCase("websocket")
            && Headers.namedByConnection(Collections.list(clientRequest.getHeaders("Connection")), "upgrade");
    }

    /** @return the {@code Sec-WebSocket-Accept} that answers {@code key} (RFC 6455 §4.2.2) */
    public static String accept(String key)
    {
        try
        {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key.trim() + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                .getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        }
        catch (NoSuchAlgorithmException x)
        {
            throw new IllegalStateException("the JDK has no SHA-1", x);
        }
    }

    /** @return why this handshake cannot be forwarded (the client gets 400), or null when it can */
    public static String refusal(ClientRequest clientRequest)
    {
        if (!"HTTP/1.1".equals(clientRequest.getProtocol()))
            return "a WebSocket handshake over " + clientRequest.getProtocol() + " (RFC 6455 §4.1: HTTP/1.1)";
        if (!clientRequest.getMethod().equals("GET"))
            return "a WebSocket handshake is a GET, not a " + clientRequest.getMethod().toUpperCase(Locale.ROOT) + " (RFC 6455 §4.1)";
        String length = clientRequest.getHeader("Content-Length");
        if ((length != null && !length.trim().equals("0")) || clientRequest.getHeader("Transfer-Encoding") != null)
            return "a WebSocket handshake has no body";
        String key = clientRequest.getHeader("Sec-WebSocket-Key");
        if (key == null || key.isBlank())
            return "a WebSocket handshake has a Sec-WebSocket-Key (RFC 6455 §4.1)";
        return null;
    }
}
