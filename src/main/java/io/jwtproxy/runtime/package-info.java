/**
 * What one deployment of the proxy shares, built once from complete settings: the
 * {@link io.jwtproxy.runtime.ProxyRuntime} (settings, key ring, minter, authentication, the exchanges'
 * event stream), the HTTP client to the upstream, and the publisher of the public keys.
 */
package io.jwtproxy.runtime;
