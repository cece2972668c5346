/**
 * Tokens: the signing algorithms, PEM keys, the key ring and its schedule, and the minter. The
 * JDK, jose4j and Jackson's JSON string encoder only: no servlet, no HTTP, no settings.
 */
package io.jwtproxy.token;
