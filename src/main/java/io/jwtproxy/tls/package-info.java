/**
 * TLS material from PEM files, checked before use: the proxy's own certificate and key (its TLS
 * listener, its client certificate to the upstream), the CAs it trusts for the upstream, and the
 * watcher that picks up renewed files. The JDK only; the Jetty wiring is the caller's.
 */
package io.jwtproxy.tls;
