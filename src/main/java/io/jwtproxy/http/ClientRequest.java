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
}
