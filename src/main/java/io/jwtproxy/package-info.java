/**
 * The proxy as a servlet container runs it: {@link io.jwtproxy.JwtProxyServlet} (Jetty's proxy
 * hooks), {@link io.jwtproxy.StatusServlet}, and {@link io.jwtproxy.BootListener}, which hands
 * both the one {@link io.jwtproxy.ProxyRuntime}; web.xml names these three. Depends on every
 * package below but {@code embedded}.
 */
package io.jwtproxy;
