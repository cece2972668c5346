/**
 * The jar's core engine ({@code ENGINE=core}): {@link io.jwtproxy.core.CoreProxyHandler} on Jetty's core
 * handler API and its HTTP client, taking requests through the same {@code pipeline} as the servlet.
 * The WAR leaves this package out.
 */
package io.jwtproxy.core;
