/**
 * One request's trip through the proxy, in the parts {@code JwtProxyServlet}'s hooks hand their
 * work to: the exchange and its access line, the one failure classifier, the body reader, the
 * response head, interim responses, and when to retry.
 */
package io.jwtproxy.exchange;
