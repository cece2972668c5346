package io.jwtproxy.auth;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

/** One authentication method of {@code AUTH}. */
public interface Authenticator
{
    /** @return the method's name in {@code AUTH} */
    String method();

    /** @param clientAddress the client's address: the TCP peer's, or the one a trusted balancer or gateway reports */
    Verdict authenticate(HttpServletRequest clientRequest, String clientAddress);

    /**
     * @param verdict what this method made of the request being refused
     * @return its {@code WWW-Authenticate} challenge (RFC 9110 §11.6.1), or null for a method without an HTTP scheme
     */
    String challenge(Verdict verdict);

    /** @return the request fields that carry this method's credential or identity: never forwarded */
    List<String> credentialFields();
}
