/**
 * Settings: their names, defaults and meanings ({@link io.jwtproxy.config.Setting}), where values
 * come from, and one typed, validated configuration per concern (the embedded server, forwarding,
 * tokens), assembled per deployment by {@link io.jwtproxy.config.WebappConfig} and
 * {@link io.jwtproxy.config.EmbeddedConfig}. Read once, at start-up.
 */
package io.jwtproxy.config;
