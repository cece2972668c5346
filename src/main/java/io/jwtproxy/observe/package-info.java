/**
 * The subscribers to the exchanges' events: the access log, the status page's counters and its
 * 15-minute chart, the Prometheus metrics; and the status page itself. Nothing here decides anything.
 */
package io.jwtproxy.observe;
