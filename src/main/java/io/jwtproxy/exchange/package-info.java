/**
 * One request's trip through the proxy: the exchange and its events ({@link io.jwtproxy.exchange.ExchangeEvents},
 * the one stream every counter subscribes to), the one failure classifier, the body reader, the response head,
 * interim responses, trailers, and when to retry.
 */
package io.jwtproxy.exchange;
