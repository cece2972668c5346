package io.jwtproxy.embedded;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;

/**
 * HTTP/2 without TLS on the plain listener, with prior knowledge only: a connection that opens with
 * the HTTP/2 preface ({@code PRI * HTTP/2.0}, what gRPC clients send) speaks HTTP/2 from its first
 * byte. The HTTP/1.1 {@code Upgrade: h2c} is not acted on (Jetty's factory would answer it 101): no
 * Upgrade but a WebSocket's is, and the request goes upstream as a plain HTTP/1.1 one without it.
 */
final class PriorKnowledgeH2c extends HTTP2CServerConnectionFactory
{
    PriorKnowledgeH2c(HttpConfiguration configuration)
    {
        super(configuration);
    }

    @Override
    public Connection upgradeConnection(Connector connector, EndPoint endPoint, MetaData.Request request, HttpFields.Mutable response101)
    {
        return HttpMethod.PRI.is(request.getMethod()) ? super.upgradeConnection(connector, endPoint, request, response101) : null;
    }
}
