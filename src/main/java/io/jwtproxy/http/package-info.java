/**
 * HTTP's rules as the proxy applies them (RFC 9110): hop-by-hop and Connection-named fields, the
 * token grammar, the forwarding fields a request carries, content negotiation. No state.
 */
package io.jwtproxy.http;
