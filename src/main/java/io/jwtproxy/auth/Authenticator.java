package io.jwtproxy.auth;

import java.util.List;

import io.jwtproxy.http.ClientRequest;

/** One authentication method of {@code AUTH}. */
public interface Authenticator
{
    /** @return the method's name in {@code AUTH} */
    String method();

    /** @param clientAddress the client's address: the TCP peer's, or the one a trusted balancer or gateway reports */
    Verdict authenticate(ClientRequest clientRequest, String clientAddress);

    /**
     * @return whether checking this request may wait (bcrypt, fetching an issuer's keys): the core engine then checks it off
     *         the selector thread that read it, so that its other connections do not wait too
     */
    default boolean mayWait(ClientRequest clientRequest)
    {
        return false;
    }

    /**
     * @param verdict what this method made of the request being refused
     * @return its {@code WWW-Authenticate} challenge (RFC 9110 §11.6.1), or null for a method without an HTTP scheme
     */
    String challenge(Verdict verdict);

    /** @return the request fields that carry this method's credential or identity: never forwarded */
    List<String> credentialFields();
}
