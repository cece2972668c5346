package io.jwtproxy.auth;

import java.util.List;

/**
 * Who a credential says the caller is: the token's {@code sub} (and {@code payload.user}), and
 * what its source adds.
 *
 * @param email null when the source gives none
 * @param name null when the source gives none
 * @param groups empty when the source gives none
 */
public record Identity(String subject, String email, String name, List<String> groups)
{
    public Identity
    {
        groups = List.copyOf(groups);
    }
}
