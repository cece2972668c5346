package io.jwtproxy.exchange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;

import io.jwtproxy.config.Setting;
import io.jwtproxy.http.Headers;

/**
 * The upstream's response head as the client gets it: each end-to-end field with its value as
 * received, in the upstream's order and repetition. Jetty's proxy re-joined each value from a
 * quoted-string parse instead: it removed quotes and escapes, and one value it could not parse
 * (JSON in NEL, a lone {@code "}) lost that field and every field after it.
 */
public final class ResponseHead
{
    /** Room kept for the status line and what the container adds itself: Date, Content-Length or Transfer-Encoding, Connection, Keep-Alive. */
    static final int CONTAINER_RESERVE = 256;

    private ResponseHead()
    {
    }

    /**
     * @param head the upstream's fields
     * @param relayable decides each end-to-end field (Jetty's {@code filterServerResponseHeader} hook)
     * @return the fields that go on to the client: not hop-by-hop (RFC 9110 §7.6.1), not refused by
     *         {@code relayable}, and no Content-Length on a 204 (RFC 9110 §8.6)
     */
    public static List<HttpField> relayed(HttpFields head, int status, Predicate<HttpField> relayable)
    {
        List<HttpField> relayed = new ArrayList<>(head.size());
        for (HttpField field : head)
        {
            if (Headers.isHopByHop(field.getName()) || (status == HttpStatus.NO_CONTENT_204 && field.getHeader() == HttpHeader.CONTENT_LENGTH))
                continue;
            if (relayable.test(field))
                relayed.add(field);
        }
        return relayed;
    }

    /**
     * @throws UnrelayableResponseException if the head is larger than {@code maxBytes}, with room for the container's own
     *         fields: nothing of it is relayed
     */
    public static void checkSize(List<HttpField> fields, int maxBytes)
    {
        int bytes = CONTAINER_RESERVE;
        for (HttpField field : fields)
            bytes += field.getName().length() + field.getValue().length() + 4;
        if (bytes > maxBytes)
            throw new UnrelayableResponseException("the response head would take " + bytes + " bytes, more than "
                + Setting.MAX_RESPONSE_HEADER_BYTES + " (" + maxBytes + ")", null);
    }

    /**
     * Sets the relayed fields on the client's response.
     *
     * @param bodiless304 a 304 without Content-Length: committed now, since Jetty's server gives a
     *                    response completed without Content-Length one of 0, and a 304's would claim
     *                    that the 200 it stands for has an empty body (RFC 9110 §8.6)
     * @throws UnrelayableResponseException if the head is larger than {@code maxBytes}, with room for
     *         the container's own fields, or the container refused a field: nothing is relayed in part
     */
    public static void copy(List<HttpField> fields, HttpServletResponse proxyResponse, int maxBytes, boolean bodiless304)
    {
        checkSize(fields, maxBytes);
        try
        {
            Set<String> names = new HashSet<>();
            for (HttpField field : fields)
            {
                // The first of a name replaces what the container set itself: Jetty's Date can be replaced, in
                // its place at the top, but not removed. The others are added, in the upstream's order.
                if (names.add(field.getLowerCaseName()))
                    proxyResponse.setHeader(field.getName(), field.getValue());
                else
                    proxyResponse.addHeader(field.getName(), field.getValue());
            }
            if (bodiless304)
                proxyResponse.flushBuffer();
        }
        catch (IOException | RuntimeException x)
        {
            throw new UnrelayableResponseException("the response head cannot be relayed: " + Failure.describe(x), x);
        }
    }
}
