package io.jwtproxy.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * A response the proxy gives itself (a refusal, its keys, its status): decided once, then written by
 * whichever front end received the request. Content-Length is the body's; to a HEAD the body is left out.
 *
 * @param fields the response's fields but Content-Length
 * @param body the body, empty for none
 */
public record Answer(int status, HttpFields fields, byte[] body)
{
    private static final byte[] NONE = new byte[0];

    /** @return an answer without a body */
    public static Answer empty(int status, HttpFields fields)
    {
        return new Answer(status, fields, NONE);
    }

    /** @return an answer without a body or fields */
    public static Answer empty(int status)
    {
        return empty(status, HttpFields.EMPTY);
    }

    /** @return this answer with one more field */
    public Answer with(HttpHeader name, String value)
    {
        return new Answer(status, HttpFields.build(fields).add(name, value), body);
    }

    /** @return this answer with {@code more} fields, or itself when there are none */
    public Answer with(HttpFields more)
    {
        if (more.size() == 0)
            return this;
        HttpFields.Mutable all = HttpFields.build(fields);
        more.forEach(all::add);
        return new Answer(status, all, body);
    }
}
