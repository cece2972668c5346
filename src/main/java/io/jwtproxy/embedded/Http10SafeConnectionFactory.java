package io.jwtproxy.embedded;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Jetty's HTTP/1.1 connection factory, except that an HTTP/1.0 request's {@code Expect} field is
 * ignored while it is parsed. Jetty 12 acts on {@code Expect: 100-continue} whatever the version
 * and sends {@code 100 Continue} to HTTP/1.0 clients, which RFC 9110 §10.1.1 and §15.2 forbid.
 *
 * <p>This reaches into {@code org.eclipse.jetty.server.internal} (the protected
 * {@code newHttpStream} hook); {@code HostileInputTest} fails if a Jetty upgrade changes it.</p>
 */
final class Http10SafeConnectionFactory extends HttpConnectionFactory
{
    Http10SafeConnectionFactory(HttpConfiguration configuration)
    {
        super(configuration);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint)
    {
        HttpConnection connection = new HttpConnection(getHttpConfiguration(), connector, endPoint)
        {
            @Override
            protected HttpStreamOverHTTP1 newHttpStream(String method, String uri, HttpVersion version)
            {
                if (version != HttpVersion.HTTP_1_0)
                    return super.newHttpStream(method, uri, version);
                return new HttpStreamOverHTTP1(method, uri, version)
                {
                    @Override
                    public void parsedHeader(HttpField field)
                    {
                        if (field.getHeader() != HttpHeader.EXPECT)
                            super.parsedHeader(field);
                    }
                };
            }
        };
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }
}
