package io.jwtproxy.auth;

/** What one authentication method makes of a request. */
public sealed interface Verdict
{
    /** The request carries no credential of this method. */
    record Absent() implements Verdict
    {
    }

    /** The credential holds: this is the caller. */
    record Authenticated(Identity identity) implements Verdict
    {
    }

    /**
     * The request carries a credential of this method, and it does not hold.
     *
     * @param reason for the log and, where the scheme has one, the challenge's description; never the credential
     */
    record Refused(String reason) implements Verdict
    {
    }

    /** The credential cannot be checked now (the identity provider cannot be reached): not the client's fault. */
    record Unavailable(String reason) implements Verdict
    {
    }

    /** This address failed too often of late: its credential is not checked until {@code retryAfterSeconds} have passed. */
    record Limited(long retryAfterSeconds) implements Verdict
    {
    }
}
