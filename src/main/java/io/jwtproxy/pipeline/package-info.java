/**
 * The steps both engines take every request through: the {@link io.jwtproxy.pipeline.FrontDoor}
 * (normal path, operators' endpoints, local answers, authentication), and
 * {@link io.jwtproxy.pipeline.Forwarding} (target, fields, the token, what comes back).
 */
package io.jwtproxy.pipeline;
