/**
 * The operators' endpoints ({@code /status}, {@code /metrics}, {@code /healthz}, {@code /readyz}) and
 * {@code /forward-auth}, the decision a gateway asks for: engine-neutral answers that the servlets and
 * the core engine write.
 */
package io.jwtproxy.admin;
