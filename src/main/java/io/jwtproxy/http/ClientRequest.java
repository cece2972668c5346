package io.jwtproxy.http;

import java.security.cert.X509Certificate;
import java.util.Enumeration;

import org.eclipse.jetty.http.HttpFields;

/**
 * The client's request as every decision of the proxy reads it, whichever front end received it: the
 * servlet ({@code JwtProxyServlet}, in a container or the jar's servlet engine) or Jetty's core handler
 * (the jar's core engine). The calls are named as the Servlet API names them, so that a decision reads
 * the same in both.
 */
public interface ClientRequest
{
    String getMethod();

    /** @return {@code HTTP/1.0}, {@code HTTP/1.1} or {@code HTTP/2.0} */
    String getProtocol();

    /** @return {@code http} or {@code https} */
    String getScheme();

    /** @return the first value of the field, or null */
    String getHeader(String name);

    /** @return every value of the field, in order, as separate lines carried them */
    Enumeration<String> getHeaders(String name);

    /** @return every field of the request's head, in order */
    HttpFields getFields();

    /** @return the query as sent (still encoded), or null */
    String getQueryString();

    /** @return the TCP peer's address */
    String getRemoteAddr();

    /** @return the address of the proxy's side of the connection */
    String getLocalAddr();

    /** @return the host the request names (Host or :authority), else the local address */
    String getServerName();

    int getServerPort();

    /** @return the context the proxy is deployed at, empty at the root */
    String getContextPath();

    /** @return the client's certificate chain from the TLS handshake, or null */
    X509Certificate[] certificates();

    /** @return the user the servlet container authenticated, or null (always in the jar) */
    String getRemoteUser();

    /** @return this request as if its method were {@code method}: a gateway's question about another request */
    default ClientRequest withMethod(String method)
    {
        ClientRequest request = this;
        return new ClientRequest()
        {
            @Override
            public String getMethod()
            {
                return method;
            }

            @Override
            public String getProtocol()
            {
                return request.getProtocol();
            }

            @Override
            public String getScheme()
            {
                return request.getScheme();
            }

            @Override
            public String getHeader(String name)
            {
                return request.getHeader(name);
            }

            @Override
            public Enumeration<String> getHeaders(String name)
            {
                return request.getHeaders(name);
            }

            @Override
            public HttpFields getFields()
            {
                return request.getFields();
            }

            @Override
            public String getQueryString()
            {
                return request.getQueryString();
            }

            @Override
            public String getRemoteAddr()
            {
                return request.getRemoteAddr();
            }

            @Override
            public String getLocalAddr()
            {
                return request.getLocalAddr();
            }

            @Override
            public String getServerName()
            {
                return request.getServerName();
            }

            @Override
            public int getServerPort()
            {
                return request.getServerPort();
            }

            @Override
            public String getContextPath()
            {
                return request.getContextPath();
            }

            @Override
            public X509Certificate[] certificates()
            {
                return request.certificates();
            }

            @Override
            public String getRemoteUser()
            {
                return request.getRemoteUser();
            }
        };
    }
}
