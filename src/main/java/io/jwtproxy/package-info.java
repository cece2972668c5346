/**
 * The proxy as a servlet container runs it, and nothing else: {@link io.jwtproxy.JwtProxyServlet}
 * (Jetty's proxy hooks), {@link io.jwtproxy.AdminServlet} (the jar's admin listener),
 * {@link io.jwtproxy.BootListener} (builds or receives the one runtime) and their servlet glue. web.xml
 * names the servlet and the listener. Depends on every package below but {@code embedded} and {@code core}.
 */
package io.jwtproxy;
