/**
 * The executable jar: {@link io.jwtproxy.embedded.Main} (settings, the demo, signals), the Jetty
 * servers it builds, its HTTP/1.0-safe connection factory, and the echo upstream. Left out of the
 * WAR, which runs in a container's server instead.
 */
package io.jwtproxy.embedded;
