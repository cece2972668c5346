/**
 * The proxy as a servlet container runs it: {@link io.jwtproxy.JwtProxyServlet} (Jetty's proxy
 * hooks, and the admin endpoints under ADMIN_PATH) and {@link io.jwtproxy.BootListener}, which
 * hands it the one {@link io.jwtproxy.ProxyRuntime}; web.xml names these two. Depends on every
 * package below but {@code embedded}.
 */
package io.jwtproxy;
