package io.jwtproxy.config;

import org.junit.jupiter.api.Test;

import io.jwtproxy.testing.Settings;

import static io.jwtproxy.config.SettingsTest.embedded;
import static io.jwtproxy.config.SettingsTest.embeddedProblem;
import static io.jwtproxy.config.SettingsTest.webappProblem;
import static org.assertj.core.api.Assertions.assertThat;

/** AUTH and its methods' settings: each wrong one named, in the jar and in the WAR alike. */
class AuthSettingsTest
{
    private static final Settings BEARER = Settings.of(Setting.AUTH, "bearer").with(Setting.AUTH_ISSUER, "https://idp.example/realms/main")
        .with(Setting.AUTH_AUDIENCE, "shop");

    private static String[] with(Settings base, String... more)
    {
        return base.with(more).pairs();
    }

    @Test
    void methodsAreReadInOrderAndNoneIsTheDefault()
    {
        AuthConfig auth = embedded(with(BEARER, "AUTH", "header, bearer,container", "AUTH_TRUSTED_PROXIES", "10.0.0.0/8, ::1", "ENGINE", "servlet")).auth();

        assertThat(auth.methods()).containsExactly(AuthConfig.Method.HEADER, AuthConfig.Method.BEARER, AuthConfig.Method.CONTAINER);
        assertThat(auth.trustedProxies()).extracting(Object::toString).containsExactly("10.0.0.0/8", "::1");
        assertThat(embedded().auth().enabled()).as("by default").isFalse();
        assertThat(embedded("AUTH", "none").auth().enabled()).isFalse();
    }

    @Test
    void eachBadSettingIsNamedInOneLine()
    {
        assertThat(embeddedProblem("AUTH", "container")).isEqualTo("invalid configuration: AUTH: container needs a servlet container's login, "
            + "which the core engine has not: set ENGINE=servlet, or deploy the WAR");
        assertThat(embeddedProblem("ENGINE", "netty")).isEqualTo("invalid configuration: ENGINE: \"netty\" is neither core nor servlet");
        assertThat(embeddedProblem("AUTH", "kerberos")).isEqualTo("invalid configuration: AUTH: \"kerberos\" is none of none, bearer, basic, mtls, header, container");
        assertThat(webappProblem(with(BEARER, "AUTH_AUDIENCE", " ", "UPSTREAM_URL", "http://up", "JWT_SECRET", "x".repeat(64))))
            .isEqualTo("invalid configuration: AUTH_AUDIENCE: is required with AUTH=bearer (the client ID the provider issues tokens for)");
        assertThat(embeddedProblem("AUTH", "bearer", "AUTH_AUDIENCE", "shop"))
            .isEqualTo("invalid configuration: AUTH_ISSUER: is required with AUTH=bearer (the provider's issuer URL, as its tokens' iss)");
        assertThat(embeddedProblem(with(BEARER, "AUTH_ALGORITHMS", "RS256,HS256")))
            .isEqualTo("invalid configuration: AUTH_ALGORITHMS: \"HS256\" is not one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA (never none, never HS*)");
        assertThat(embeddedProblem(with(BEARER, "AUTH_ALGORITHMS", "none")))
            .startsWith("invalid configuration: AUTH_ALGORITHMS: \"none\" is not one of");
        assertThat(embeddedProblem("AUTH", "header", "AUTH_TRUSTED_PROXIES", "10.0.0.0/33"))
            .isEqualTo("invalid configuration: AUTH_TRUSTED_PROXIES: \"10.0.0.0/33\" has a prefix length outside 0-32");
        assertThat(embeddedProblem("AUTH", "header", "AUTH_TRUSTED_PROXIES", "10.0.0.1/8"))
            .startsWith("invalid configuration: AUTH_TRUSTED_PROXIES: \"10.0.0.1/8\" has bits set past its prefix length");
        assertThat(embeddedProblem("AUTH", "header", "AUTH_TRUSTED_PROXIES", "proxy.internal"))
            .isEqualTo("invalid configuration: AUTH_TRUSTED_PROXIES: \"proxy.internal\" is not an IP address or address/prefix");
        assertThat(embeddedProblem("AUTH", "header"))
            .isEqualTo("invalid configuration: AUTH_TRUSTED_PROXIES: is required with AUTH=header (the addresses of the authenticating proxies in front)");
        assertThat(embeddedProblem("AUTH_PUBLIC_PATHS", "health")).isEqualTo("invalid configuration: AUTH_PUBLIC_PATHS: \"health\" does not start with /");
        assertThat(embeddedProblem("JWT_MAX_BYTES", "100")).isEqualTo("invalid configuration: JWT_MAX_BYTES: \"100\" is not a number of bytes from 512 to 1048576");
    }

    @Test
    void aPublicPathMustBeInNormalForm()
    {
        assertThat(embeddedProblem("AUTH_PUBLIC_PATHS", "/public/../x")).isEqualTo("invalid configuration: AUTH_PUBLIC_PATHS: \"/public/../x\" is not "
            + "a path in normal form (no . or .. segments, no //, unreserved characters unescaped): requests are matched in normal form");
        assertThat(embeddedProblem("ADMIN_PATH", "/a//b")).startsWith("invalid configuration: ADMIN_PATH: \"/a//b\" is not a path in normal form");
        assertThat(embeddedProblem("JWKS_PATH", "/keys/./jwks.json")).startsWith("invalid configuration: JWKS_PATH: \"/keys/./jwks.json\"");
    }
}
