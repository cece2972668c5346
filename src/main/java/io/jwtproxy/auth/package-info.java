/**
 * Who the caller is: one {@link io.jwtproxy.auth.Authenticator} per method of {@code AUTH}, tried in
 * order by {@link io.jwtproxy.auth.Authentication}, each giving a {@link io.jwtproxy.auth.Verdict};
 * the {@link io.jwtproxy.auth.Identity} of the first that authenticates is what the token vouches for.
 */
package io.jwtproxy.auth;
