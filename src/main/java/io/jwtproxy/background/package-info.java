/**
 * Work the proxy does beside requests, on threads of its own that a container's undeploy finds
 * ended. The JDK only.
 */
package io.jwtproxy.background;
